# English interface.

## Layout
skip-to-content = Skip to content
nav-label = Main navigation
nav-home = Home
nav-organisations = Organisations
nav-my-organisation = My organisation
nav-users = Users
nav-history = History
nav-account = My account
nav-logout = Sign out
breadcrumbs = Breadcrumbs
footer-api = API and documentation
footer-language = Language
pagination = Pagination
pagination-previous = Previous page
pagination-next = Next page
choose = — Choose —
yes = Yes
no = No
form-has-errors = The form has errors. Please correct these fields:
conflict-explained = Someone changed this record while you were editing it. Here is the saved version; what you typed is kept in the form. Save again to apply it.

## Actions
action-apply = Apply
action-cancel = Cancel
action-edit = Edit
action-save = Save

## Fields
field-name = Name
field-email = E-mail address
field-password = Password
field-role = Role
field-organisation = Organisation
field-region = Region
field-siren = SIREN
field-family = Family
field-federation = Federation
field-homes = Homes
field-kind = Kind
field-address = Address
field-postal-code = Postal code
field-commune = Municipality
field-qpv = In a priority urban neighbourhood (QPV)
field-qpv-short = QPV
field-state = State
field-updated = Last change
siren-hint = 9 digits, e.g. 732 829 320.
homes-hint = Number of homes, e.g. 12 500.
federation-hint = Defaults to the usual federation of the family.
federation-usual = Usual federation of the family

## Filters and sorting
filter-search = Search
filter-search-placeholder = Name or SIREN
filter-all = All
filter-sort = Sort by
filter-apply = Filter
filter-reset = Clear filters
sort-name = Name
sort-homes = Homes (descending)
sort-siren = SIREN
sort-updated = Last change

## Roles
role-admin = Administrator
role-federation = Federation
role-quality_manager = Quality manager
role-auditor = Auditor
role-observer = Observer

## Families and federations
family-oph = Public housing office (OPH)
family-esh = Social housing company (ESH)
family-coop = Hlm cooperative
family-sem = Semi-public company (SEM)
family-autre = Other
federation-foph = OPH federation
federation-esh = ESH federation
federation-coop = Hlm cooperatives federation
federation-procivis = PROCIVIS
federation-epl = EPL federation
federation-autre = Other

## Site kinds
site-kind-agence = Agency
site-kind-residence = Residence / housing group
site-kind-siege = Head office

## Home
home-title = Home
home-welcome = Hello { $name }
home-lead-admin = You administer qualitrack: organisations, accounts and the history of changes.
home-lead-federation = Follow the organisations in your scope and their quality commitments.
home-lead-quality_manager = Prepare your audits: your organisation, its sites and its commitments.
home-lead-auditor = Find the organisations of the audits assigned to you.
home-lead-observer = See your organisation's commitments and results.
home-organisations = Organisations
home-sites = Sites
home-homes = Homes
home-see-organisations = See the organisations
home-empty-admin = No organisation yet. Start by declaring the first one.
home-empty-federation = No organisation in your scope yet.
home-empty-quality_manager = Your organisation is not available yet.
home-empty-auditor = No audit assigned to you yet: organisations will appear here.
home-empty-observer = Your organisation is not available yet.

## Sign in
login-title = Sign in
login-submit = Sign in
login-help = Forgot your password? Ask your administrator to reset it.
login-failed = Wrong e-mail address or password.
login-throttled = Too many sign-in attempts. Try again in { $minutes } minute(s).

## Account
account-title = My account
account-change-password = Change my password
password-title = Change password
password-must-change = Choose a new password before going on: the one you received works only once.
password-current = Current password
password-new = New password
password-confirm = Confirm the new password
password-rules = At least 12 characters. A phrase of several words is easy to remember and hard to guess.
password-submit = Change password
tokens-title = API tokens
tokens-lead = A token lets a program use the API with your rights. It is shown only once, when created.
tokens-created = Here is your new token. Copy it now: it will never be shown again.
tokens-name = Token name
tokens-name-hint = To recognise it, e.g. "Indicator import".
tokens-create = Create a token
tokens-prefix = Starts with
tokens-created-at = Created
tokens-last-used = Last used
tokens-active = Active
tokens-revoked = Revoked
tokens-revoke = Revoke
tokens-empty = No token yet.

## Account administration
users-title = Users
users-caption = { $count } account(s)
users-new = New account
users-new-lead = A one-time password will be shown once; pass it on to the person, who will choose a new one at first sign-in.
users-scope = Scope
users-region = Region
users-last-login = Last sign-in
users-never = Never
users-active = Active
users-disabled = Disabled
users-must-change = Must change password
users-actions = Actions
users-enable = Enable
users-disable = Disable
users-reset = Reset password
users-create = Create the account
users-created = Account created
users-password-title = Password reset
users-one-time-lead = One-time password, shown only once. Pass it on through a safe channel; it must be changed at first sign-in.
users-back = Back to users
users-organisation-hint = Required for a quality manager or an observer.
users-region-hint = Only for staff of a regional association (Federation role).
users-all-regions = All regions

## Organisations
organisations-title = Organisations
organisations-new = Declare an organisation
organisations-edit = Edit the organisation
organisations-caption = { $count } organisation(s)
organisations-sites = Sites
organisations-empty = No organisation yet.
organisations-none-match = No organisation matches these criteria.

## Sites
sites-title = Sites
sites-new = Add a site
sites-edit = Edit the site
sites-caption = { $count } site(s), { $homes } home(s)
sites-empty = No site yet — add the agencies, residences and the head office.

## History
history-title = History of changes
history-lead = The last 200 changes, all records.
history-recent = Latest changes
history-all = Full history
history-empty = No change recorded.
history-changes = Changed fields
history-field = Field
history-before = Before
history-after = After
history-action-create = created
history-action-update = changed
history-action-login = signed in
history-action-change_password = password changed
history-action-reset_password = password reset
history-action-disable = disabled
history-action-enable = enabled
history-action-set_locale = language chosen
history-action-revoke = revoked
history-entity-organisation = organisation
history-entity-site = site
history-entity-user = account
history-entity-api_token = API token

## Messages
flash-logged-out = You are signed out.
flash-session-expired = Your session expired after a period of inactivity. Please sign in again.
flash-password-must-change = Welcome! Now choose your own password.
flash-password-changed = Password changed.
flash-token-revoked = Token revoked.
flash-user-disabled = Account { $email } disabled.
flash-user-enabled = Account { $email } enabled.
flash-cannot-disable-self = You cannot disable your own account.
flash-organisation-created = Organisation "{ $name }" created.
flash-organisation-updated = Organisation saved.
flash-site-created = Site "{ $name }" added.
flash-site-updated = Site saved.

## Input errors
err-required = This field is required.
err-too-long = At most { $max } characters.
err-control-chars = This text contains invisible characters that are not allowed.
err-not-a-whole-number = Enter a whole number, e.g. 1200.
err-out-of-range = Enter a number between { $min } and { $max }.
err-email = Enter a valid e-mail address, e.g. marie.durand@example.org.
err-email-taken = An account already uses this e-mail address.
err-siren-format = A SIREN has exactly 9 digits.
err-siren-checksum = This SIREN does not exist: its check digit is wrong. Check the digits.
err-siren-taken = An organisation already has this SIREN.
err-postal-code-format = A postal code has exactly 5 digits.
err-postal-code-department = This postal code matches no French department.
err-unknown-choice = Choose a value from the list.
err-unknown-region = This region does not exist: choose one of the 18 regions.
err-organisation-required = A quality manager or an observer belongs to an organisation: choose it.
err-organisation-not-for-role = Only quality managers and observers belong to an organisation.
err-organisation-unknown = No organisation has this id or SIREN.
err-region-not-for-role = Only federation staff can be narrowed to a region.
err-password-short = The password must have at least { $min } characters.
err-password-mismatch = The two passwords differ.
err-password-same = The new password must differ from the current one.
err-password-wrong = The current password is wrong.
err-version-missing = The version of the record you read is required to change it.

## Error pages
error-title-400 = Bad request
error-title-403 = Access denied
error-title-404 = Page not found
error-title-409 = Concurrent change
error-title-422 = Invalid input
error-title-429 = Too many attempts
error-title-500 = Unexpected error
error-back-home = Back to home
error-not-found = Page not found
error-unauthenticated = Sign in to continue.
error-password-change-required = Change your password before going on.
error-forbidden = You do not have the rights for this action.
error-csrf = The form expired or does not come from qualitrack. Reload the page and try again.
error-validation = Some values are invalid.
error-bad-request = The request is malformed.
error-conflict = This record was changed meanwhile by someone else. Reload it before trying again.
error-too-many-attempts = Too many attempts. Wait before trying again.
error-too-large = The content sent is too large.
error-unexpected = An unexpected error occurred. It was logged; try again in a moment.

## API documentation
api-title = qualitrack API
api-lead = JSON API under /api/v1, authenticated by token (header Authorization: Bearer …). Create a token on the My account page.
api-operations = Operations
api-parameters = Parameters
api-in = In
api-description = Description
api-body = Request body
api-responses = Responses
api-schemas = Schemas
api-field = Field
api-type = Type

## Framework files
fw-location = { $file }, line { $line }, column { $column } — { $field }: { $message }
fw-syntax = the file is not valid TOML ({ $detail }).
fw-unknown-key = there is no key "{ $value }" here. Possible keys: { $allowed }.
fw-missing-key = the required key "{ $value }" is missing.
fw-unknown-value = the value "{ $value }" is not allowed. Possible values: { $allowed }.
fw-wrong-type = wrong type of value ({ $value }); expected: { $detail }.
fw-duplicate-key = the same key is written twice ({ $detail }).
fw-empty-text = the text is empty.
fw-not-slug = "{ $value }" is not a valid code: lower-case letters and digits, words separated by dashes (at most 64 characters).
fw-not-ref = "{ $value }" is not a valid reference: letters and digits separated by dots or dashes, at most 20 characters (e.g. 8.5.1 or E1.4).
fw-format-version = only version 1 of the format exists.
fw-too-long = at most { $max } characters.
fw-not-a-date = expected a date alone (e.g. 2024-02-23), without a time.
fw-min = the value must be at least { $min }.
fw-range = the value must be between { $min } and { $max }.
fw-duplicate = "{ $value }" is already used earlier in the file.
fw-duplicate-item = "{ $value }" appears twice in the list.
fw-no-steps = the cycle needs at least one step ([[cycle.audits]]).
fw-kind-anchor = a "{ $kind }" step cannot be counted from "{ $value }".
fw-step-order = step "{ $value }" falls before the step above it: list steps in chronological order.
fw-start-decision = the initial phase must end with exactly one decision counted from "start".
fw-renewal-decision = a cycle with a renewal ends with exactly one decision counted from "expiry"; without renewal, it has none.
fw-days-or-months = give either "days" or "months", and only one of them.
fw-unit-with-days = "unit" (working or calendar) goes with "days", and only with "days".
fw-unknown-event = "{ $value }" is neither a step of the cycle nor start, decision, audit_end or expiry.
fw-no-grades = the framework must define at least one grade ([[grades]]).
fw-nonconformity-severity = "nonconformity" must be true exactly when the severity is 3 or more.
fw-blocks-without-nc = only a nonconformity can block the decision.
fw-response-pair = "response_days" and "response_unit" go together.
fw-no-requirements = the framework needs at least one requirement ([[requirements]]).
fw-own-parent = requirement "{ $value }" cannot be its own parent.
fw-unknown-parent = the parent requirement "{ $value }" does not exist in this file.
fw-parent-after = the parent requirement "{ $value }" must be written before its children.
fw-unknown-indicator = requirement { $detail } cites indicator "{ $value }", which is not defined in this file.
fw-unused-indicator = indicator "{ $value }" is attached to no requirement.
fw-target-range = the target of an indicator in "{ $unit }" must be between { $min } and { $max }.
fw-one-sla = an indicator carries one delay only (sla_hours, sla_working_days, sla_calendar_days or sla_months).
fw-unknown-from = "{ $value }" is not a requirement of this file.
fw-duplicate-version = { $value } is defined twice.
fw-unknown-target = no framework "{ $value }" is loaded.
fw-unknown-target-version = version { $value } is not loaded.
fw-ambiguous-target = several versions of "{ $value }" are loaded: give "version".
fw-self-mapping = a mapping links two different frameworks, not the file to itself.
fw-unknown-target-ref = requirement "{ $value }" does not exist in { $detail }.
fw-duplicate-mapping = mapping { $value } is already written.
fw-reverse-relation = relation "{ $value }" contradicts the reverse mapping, declared "{ $detail }".
fw-version-changed = version { $value } is already imported with a different content. Audits stay attached to a version: publish a new version instead of changing this one.
