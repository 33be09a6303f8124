# Interface en français (langue par défaut).

## Mise en page
skip-to-content = Aller au contenu
nav-label = Navigation principale
nav-home = Accueil
nav-organisations = Organismes
nav-my-organisation = Mon organisme
nav-users = Utilisateurs
nav-history = Historique
nav-account = Mon compte
nav-logout = Se déconnecter
breadcrumbs = Fil d’Ariane
footer-api = API et documentation
footer-language = Langue
pagination = Pagination
pagination-previous = Page précédente
pagination-next = Page suivante
choose = — Choisir —
yes = Oui
no = Non
form-has-errors = Le formulaire contient des erreurs. Corrigez les champs suivants :
conflict-explained = Quelqu’un a modifié cette fiche pendant que vous la modifiiez. Voici la version enregistrée ; vos saisies sont conservées dans le formulaire. Enregistrez à nouveau pour les appliquer.

## Actions
action-apply = Appliquer
action-cancel = Annuler
action-edit = Modifier
action-save = Enregistrer

## Champs
field-name = Nom
field-email = Adresse e-mail
field-password = Mot de passe
field-role = Rôle
field-organisation = Organisme
field-region = Région
field-siren = SIREN
field-family = Famille
field-federation = Fédération
field-homes = Logements
field-kind = Type
field-address = Adresse
field-postal-code = Code postal
field-commune = Commune
field-qpv = Situé en quartier prioritaire de la politique de la ville (QPV)
field-qpv-short = QPV
field-state = État
field-updated = Dernière modification
siren-hint = 9 chiffres, par exemple 732 829 320.
homes-hint = Nombre de logements, par exemple 12 500.
federation-hint = Par défaut, la fédération habituelle de la famille.
federation-usual = Fédération habituelle de la famille

## Filtres et tris
filter-search = Rechercher
filter-search-placeholder = Nom ou SIREN
filter-all = Toutes
filter-sort = Trier par
filter-apply = Filtrer
filter-reset = Effacer les filtres
sort-name = Nom
sort-homes = Logements (décroissant)
sort-siren = SIREN
sort-updated = Dernière modification

## Rôles
role-admin = Administrateur
role-federation = Fédération
role-quality_manager = Responsable qualité
role-auditor = Auditeur
role-observer = Observateur

## Familles et fédérations
family-oph = Office public de l’habitat (OPH)
family-esh = Entreprise sociale pour l’habitat (ESH)
family-coop = Société coopérative d’Hlm
family-sem = Société d’économie mixte (SEM)
family-autre = Autre
federation-foph = Fédération des OPH
federation-esh = Fédération des ESH
federation-coop = Fédération des coopératives d’Hlm
federation-procivis = PROCIVIS
federation-epl = Fédération des EPL
federation-autre = Autre

## Types de sites
site-kind-agence = Agence
site-kind-residence = Résidence / groupe immobilier
site-kind-siege = Siège

## Accueil
home-title = Accueil
home-welcome = Bonjour { $name }
home-lead-admin = Vous administrez qualitrack : organismes, comptes et historique des modifications.
home-lead-federation = Suivez les organismes de votre périmètre et leurs engagements qualité.
home-lead-quality_manager = Préparez vos audits : votre organisme, ses sites et ses engagements.
home-lead-auditor = Retrouvez les organismes des audits qui vous sont confiés.
home-lead-observer = Consultez les engagements et les résultats de votre organisme.
home-organisations = Organismes
home-sites = Sites
home-homes = Logements
home-see-organisations = Voir les organismes
home-empty-admin = Aucun organisme pour l’instant. Commencez par déclarer le premier.
home-empty-federation = Aucun organisme dans votre périmètre pour l’instant.
home-empty-quality_manager = Votre organisme n’est pas encore accessible.
home-empty-auditor = Aucun audit ne vous est encore confié : les organismes apparaîtront ici.
home-empty-observer = Votre organisme n’est pas encore accessible.

## Connexion
login-title = Connexion
login-submit = Se connecter
login-help = Mot de passe oublié ? Demandez à votre administrateur de le réinitialiser.
login-failed = Adresse e-mail ou mot de passe incorrect.
login-throttled = Trop de tentatives de connexion. Réessayez dans { $minutes } minute(s).

## Compte
account-title = Mon compte
account-change-password = Changer mon mot de passe
password-title = Changer de mot de passe
password-must-change = Choisissez un nouveau mot de passe avant de continuer : celui que vous avez reçu ne sert qu’une fois.
password-current = Mot de passe actuel
password-new = Nouveau mot de passe
password-confirm = Confirmez le nouveau mot de passe
password-rules = Au moins 12 caractères. Une phrase de plusieurs mots est facile à retenir et difficile à deviner.
password-submit = Changer le mot de passe
tokens-title = Jetons d’API
tokens-lead = Un jeton permet à un programme d’utiliser l’API avec vos droits. Il n’est affiché qu’une fois, à sa création.
tokens-created = Voici votre nouveau jeton. Copiez-le maintenant : il ne sera plus jamais affiché.
tokens-name = Nom du jeton
tokens-name-hint = Pour le reconnaître, par exemple « Import des indicateurs ».
tokens-create = Créer un jeton
tokens-prefix = Début
tokens-created-at = Créé le
tokens-last-used = Dernière utilisation
tokens-active = Actif
tokens-revoked = Révoqué
tokens-revoke = Révoquer
tokens-empty = Aucun jeton pour l’instant.

## Administration des comptes
users-title = Utilisateurs
users-caption = { $count } compte(s)
users-new = Nouveau compte
users-new-lead = Un mot de passe à usage unique sera affiché une seule fois ; transmettez-le à la personne, qui en choisira un nouveau à sa première connexion.
users-scope = Périmètre
users-region = Région
users-last-login = Dernière connexion
users-never = Jamais
users-active = Actif
users-disabled = Désactivé
users-must-change = Mot de passe à changer
users-actions = Actions
users-enable = Réactiver
users-disable = Désactiver
users-reset = Réinitialiser le mot de passe
users-create = Créer le compte
users-created = Compte créé
users-password-title = Mot de passe réinitialisé
users-one-time-lead = Mot de passe à usage unique, affiché une seule fois. Transmettez-le par un canal sûr ; il devra être changé à la première connexion.
users-back = Retour aux utilisateurs
users-organisation-hint = Obligatoire pour un responsable qualité ou un observateur.
users-region-hint = Seulement pour le personnel d’une association régionale (rôle Fédération).
users-all-regions = Toutes les régions

## Organismes
organisations-title = Organismes
organisations-new = Déclarer un organisme
organisations-edit = Modifier l’organisme
organisations-caption = { $count } organisme(s)
organisations-sites = Sites
organisations-empty = Aucun organisme pour l’instant.
organisations-none-match = Aucun organisme ne correspond à ces critères.

## Sites
sites-title = Sites
sites-new = Ajouter un site
sites-edit = Modifier le site
sites-caption = { $count } site(s), { $homes } logement(s)
sites-empty = Aucun site pour l’instant — ajoutez les agences, résidences et le siège.

## Historique
history-title = Historique des modifications
history-lead = Les 200 dernières modifications, toutes fiches confondues.
history-recent = Dernières modifications
history-all = Tout l’historique
history-empty = Aucune modification enregistrée.
history-changes = Champs modifiés
history-field = Champ
history-before = Avant
history-after = Après
history-action-create = création
history-action-update = modification
history-action-login = connexion
history-action-change_password = changement de mot de passe
history-action-reset_password = réinitialisation du mot de passe
history-action-disable = désactivation
history-action-enable = réactivation
history-action-set_locale = choix de la langue
history-action-revoke = révocation
history-entity-organisation = organisme
history-entity-site = site
history-entity-user = compte
history-entity-api_token = jeton d’API

## Messages
flash-logged-out = Vous êtes déconnecté.
flash-session-expired = Votre session a expiré après une période d’inactivité. Reconnectez-vous.
flash-password-must-change = Bienvenue ! Choisissez maintenant votre propre mot de passe.
flash-password-changed = Mot de passe changé.
flash-token-revoked = Jeton révoqué.
flash-user-disabled = Compte { $email } désactivé.
flash-user-enabled = Compte { $email } réactivé.
flash-cannot-disable-self = Vous ne pouvez pas désactiver votre propre compte.
flash-organisation-created = Organisme « { $name } » créé.
flash-organisation-updated = Organisme enregistré.
flash-site-created = Site « { $name } » ajouté.
flash-site-updated = Site enregistré.

## Erreurs de saisie
err-required = Ce champ est obligatoire.
err-too-long = { $max } caractères au maximum.
err-control-chars = Ce texte contient des caractères invisibles non autorisés.
err-not-a-whole-number = Saisissez un nombre entier, par exemple 1 200.
err-out-of-range = Saisissez un nombre entre { $min } et { $max }.
err-email = Saisissez une adresse e-mail valide, par exemple marie.durand@exemple.fr.
err-email-taken = Un compte utilise déjà cette adresse e-mail.
err-siren-format = Le SIREN compte exactement 9 chiffres.
err-siren-checksum = Ce SIREN n’existe pas : sa clé de contrôle est fausse. Vérifiez les chiffres.
err-siren-taken = Un organisme porte déjà ce SIREN.
err-postal-code-format = Le code postal compte exactement 5 chiffres.
err-postal-code-department = Ce code postal ne correspond à aucun département français.
err-unknown-choice = Choisissez une valeur de la liste.
err-unknown-region = Cette région n’existe pas : choisissez l’une des 18 régions.
err-organisation-required = Un responsable qualité ou un observateur est rattaché à un organisme : choisissez-le.
err-organisation-not-for-role = Seuls les responsables qualité et les observateurs sont rattachés à un organisme.
err-organisation-unknown = Aucun organisme ne porte cet identifiant ou ce SIREN.
err-region-not-for-role = Seul le personnel de fédération peut être limité à une région.
err-password-short = Le mot de passe doit compter au moins { $min } caractères.
err-password-mismatch = Les deux mots de passe ne sont pas identiques.
err-password-same = Le nouveau mot de passe doit être différent de l’actuel.
err-password-wrong = Le mot de passe actuel est incorrect.
err-version-missing = La version lue de la fiche est requise pour la modifier.

## Pages d’erreur
error-title-400 = Requête invalide
error-title-403 = Accès refusé
error-title-404 = Page introuvable
error-title-409 = Modification concurrente
error-title-422 = Saisie invalide
error-title-429 = Trop de tentatives
error-title-500 = Erreur inattendue
error-back-home = Retour à l’accueil
error-not-found = Page introuvable
error-unauthenticated = Connectez-vous pour continuer.
error-password-change-required = Changez votre mot de passe avant de continuer.
error-forbidden = Vous n’avez pas les droits nécessaires pour cette action.
error-csrf = Le formulaire a expiré ou ne vient pas de qualitrack. Rechargez la page et recommencez.
error-validation = Certaines valeurs sont invalides.
error-bad-request = La requête est mal formée.
error-conflict = Cette fiche a été modifiée entre-temps par quelqu’un d’autre. Rechargez-la avant de recommencer.
error-too-many-attempts = Trop de tentatives. Patientez avant de réessayer.
error-too-large = Le contenu envoyé est trop volumineux.
error-unexpected = Une erreur inattendue s’est produite. Elle a été enregistrée ; réessayez dans un instant.

## Documentation de l’API
api-title = API qualitrack
api-lead = API JSON sous /api/v1, authentifiée par jeton (en-tête Authorization: Bearer …). Créez un jeton sur la page Mon compte.
api-operations = Opérations
api-parameters = Paramètres
api-in = Emplacement
api-description = Description
api-body = Corps de la requête
api-responses = Réponses
api-schemas = Schémas
api-field = Champ
api-type = Type

## Fichiers de référentiels
fw-location = { $file }, ligne { $line }, colonne { $column } — { $field } : { $message }
fw-syntax = le fichier n’est pas un TOML valide ({ $detail }).
fw-unknown-key = la clé « { $value } » n’existe pas ici. Clés possibles : { $allowed }.
fw-missing-key = la clé obligatoire « { $value } » manque.
fw-unknown-value = la valeur « { $value } » n’est pas permise. Valeurs possibles : { $allowed }.
fw-wrong-type = type de valeur incorrect ({ $value }) ; attendu : { $detail }.
fw-duplicate-key = une même clé est écrite deux fois ({ $detail }).
fw-empty-text = le texte est vide.
fw-not-slug = « { $value } » n’est pas un code valide : lettres minuscules et chiffres, mots séparés par des tirets (64 caractères au plus).
fw-not-ref = « { $value } » n’est pas une référence valide : lettres et chiffres séparés par des points ou des tirets, 20 caractères au plus (par exemple 8.5.1 ou E1.4).
fw-format-version = seule la version 1 du format existe.
fw-too-long = { $max } caractères au maximum.
fw-not-a-date = attendu une date seule (par exemple 2024-02-23), sans heure.
fw-min = la valeur doit être au moins { $min }.
fw-range = la valeur doit être comprise entre { $min } et { $max }.
fw-duplicate = « { $value } » est déjà utilisé plus haut dans le fichier.
fw-duplicate-item = « { $value } » figure deux fois dans la liste.
fw-no-steps = le cycle doit compter au moins une étape ([[cycle.audits]]).
fw-kind-anchor = une étape « { $kind } » ne peut pas se compter depuis « { $value } ».
fw-step-order = l’étape « { $value } » tombe avant l’étape qui la précède : rangez les étapes dans l’ordre chronologique.
fw-start-decision = la phase initiale doit se terminer par une et une seule décision comptée depuis « start ».
fw-renewal-decision = un cycle avec renouvellement se termine par une et une seule décision comptée depuis « expiry » ; sans renouvellement, il n’en a pas.
fw-days-or-months = indiquez soit « days », soit « months », et un seul des deux.
fw-unit-with-days = « unit » (working ou calendar) accompagne « days », et seulement « days ».
fw-unknown-event = « { $value } » n’est ni une étape du cycle, ni start, decision, audit_end ou expiry.
fw-no-grades = le référentiel doit définir au moins une notation ([[grades]]).
fw-nonconformity-severity = « nonconformity » doit valoir true exactement quand la gravité vaut 3 ou plus.
fw-blocks-without-nc = seule une non-conformité peut bloquer la décision.
fw-response-pair = « response_days » et « response_unit » vont ensemble.
fw-no-requirements = le référentiel doit compter au moins une exigence ([[requirements]]).
fw-own-parent = l’exigence « { $value } » ne peut pas être son propre parent.
fw-unknown-parent = l’exigence parente « { $value } » n’existe pas dans ce fichier.
fw-parent-after = l’exigence parente « { $value } » doit être écrite avant ses enfants.
fw-unknown-indicator = l’exigence { $detail } cite l’indicateur « { $value } », qui n’est pas défini dans ce fichier.
fw-unused-indicator = l’indicateur « { $value } » n’est rattaché à aucune exigence.
fw-target-range = la cible d’un indicateur en « { $unit } » doit être comprise entre { $min } et { $max }.
fw-one-sla = un indicateur ne porte qu’un seul délai (sla_hours, sla_working_days, sla_calendar_days ou sla_months).
fw-unknown-from = « { $value } » n’est pas une exigence de ce fichier.
fw-duplicate-version = { $value } est défini deux fois.
fw-unknown-target = aucun référentiel « { $value } » n’est chargé.
fw-unknown-target-version = la version { $value } n’est pas chargée.
fw-ambiguous-target = plusieurs versions de « { $value } » sont chargées : précisez « version ».
fw-self-mapping = une correspondance relie deux référentiels différents, pas le fichier à lui-même.
fw-unknown-target-ref = l’exigence « { $value } » n’existe pas dans { $detail }.
fw-duplicate-mapping = la correspondance { $value } est déjà écrite.
fw-reverse-relation = la relation « { $value } » contredit la correspondance inverse, déclarée « { $detail } ».
fw-version-changed = la version { $value } est déjà importée avec un autre contenu. Les audits restent attachés à une version : publiez une nouvelle version au lieu de modifier celle-ci.
