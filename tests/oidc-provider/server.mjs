// The OpenID Connect provider the sign-in tests talk to: panva's certified oidc-provider
// with its development login screens (any login, any password). It listens on a free port
// of 127.0.0.1 and prints "ISSUER <url>" once ready.
//
// Environment: REDIRECT_URIS and POST_LOGOUT_REDIRECT_URIS (comma-separated), CLIENT_ID,
// CLIENT_SECRET, and ACCOUNTS: a JSON object giving, per login typed on the login screen,
// the claims of that person (email, email_verified, given_name, usual_name, siret…). A login
// not listed is an e-mail address, verified unless it starts with "unverified:".
const person = (id) =>
  accounts[id] || {
    email: id.replace(/^unverified:/, ""),
    email_verified: !id.startsWith("unverified:"),
    given_name: "Agent",
    usual_name: id.replace(/^unverified:/, "").split("@")[0],
  };
import http from "node:http";
import Provider from "oidc-provider";

const accounts = JSON.parse(process.env.ACCOUNTS || "{}");
const list = (name) => (process.env[name] || "").split(",").filter(Boolean);

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: process.env.CLIENT_ID || "qualitrack",
        client_secret: process.env.CLIENT_SECRET || "secret-de-test",
        redirect_uris: list("REDIRECT_URIS"),
        post_logout_redirect_uris: list("POST_LOGOUT_REDIRECT_URIS"),
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    pkce: { required: () => true },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "given_name", "family_name"],
      usual_name: ["usual_name"],
      siret: ["siret"],
      organizational_unit: ["organizational_unit"],
    },
    scopes: ["openid", "email", "profile", "usual_name", "siret", "organizational_unit"],
    // The claims go in the ID token too, as some providers send them.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    cookies: { keys: ["cle-de-test-des-cookies"] },
    findAccount: async (ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, ...person(id) }),
    }),
  });
  provider.proxy = false;
  provider.on("server_error", (ctx, error) => console.error("server_error", error));
  server.on("request", provider.callback());
  console.log(`ISSUER ${issuer}`);
});
