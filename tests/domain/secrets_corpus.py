"""A corpus of fake secrets and of look-alikes for the redaction tests (test_redaction.py).

Every secret has the shape of a real one (prefix, length, alphabet) with a random-looking body
that was generated once for this file: nothing here is random at test time, and none of it is a
live credential.  Vendor prefixes are split by concatenation (``"gh" + "p_"``) so that no line
of this file looks like a live credential to a secret scanner.

``SECRETS``: each case is a text with ``§`` where the secret goes.  After ``redact`` the secret
(and every 5-character piece of it) is gone, a ``[REDACTED...]`` marker is there, and the text
around the ``§`` is still there, so only the secret went.

``LOOKALIKES``: text that looks a little like a secret and must come back byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Case:
    family: str
    template: str  # the text, with § where the secret goes
    secret: str

    @property
    def text(self) -> str:
        return self.template.replace("§", self.secret)

    @property
    def kept(self) -> list[str]:
        """The text around the secret, which redaction must leave in place."""
        return [part for part in self.template.split("§") if part.strip()]

    @property
    def id(self) -> str:
        return f"{self.family}:{self.template[:40]}"


# --- bodies, generated once: random-looking, fixed ------------------------------------------

HEX32 = ("dcf0c8839a0439f02a06eaa1591493c2", "24618fc185a5f3de5a72905f6f74096b",
         "65af0361d978fae15aa87973fecd6bf2", "5199dd8552f0f6dc520748a220282177")
HEX40 = ("adc34dec5fe91f851870de0f20a8552366c80682", "123e12b7b64cfddc0ab12d36b74e36772a646d1a")
HEX64 = ("35bcd14cc536a21aea8012bca6ed2e677bd2273ee00a2a239f1e730cd37a3d19",
         "83fa27d77425d28dd632fea6adfff74d3b6c167e03cf9b192defa0ea75c5b686",
         "a7edf40a5ea6fd0f075cd373b7a75021bf500fd98be6630147864b66f128e78c")
UUIDS = ("a9acfc44-ce72-443d-8a31-cce0661a397c", "869d7d04-7b9a-4907-8361-6dc5b9b201d1",
         "5a8ef0ce-7cbb-417c-bb69-c3c8b809b4ff", "80f626dc-6096-44cf-89c1-bf918f6da3bc",
         "071a5aaa-d335-49b2-afab-fc7ede4002ab")
PW = ("zwM6zicyZJ!IRi", "C%21r#H3F19r", "iXBXKFZiXwH7VBOyP4", "Tr0ub4dor&3x")
TOK = ("9yT7sWMintCu7lrUvD6Hwv6lPLFxA6", "Zq5_6wkz4cJxRtpvUB_ty_EfyTU4SzT78F6qd70J",
       "86yVfyZzh9ABVKkHQiCREQkLQUELDSIr", "D1FIaY5OLVrj9C4sGd0ePxAEL9WFMTgutSYp")
B64_88 = ("ch1hdseOF59+sOX7nqvLzNJSVp50KAJslgvUJZD51qRSzcY6ZO+/cY3jrQzTWnjtAIFobDM9Bx9D2sO"
          "Zsobz03==")
B64_44 = "dLwFYxq3PJGx5O9cT9V7CCQbUXvKRlrJaN9Wknoy0mY="
B64_44B = "G20GfmIacpVyo/xSy/kiLOU+mmpBDi4FIBp+S2dFNYf="
SIG_URLENC = "G20GfmIacpVyo%2FxSy%2FkiLOU%2BmmpBDi4FIBp%2BS2dFNYf%3D"
SIG43 = ("asSSU97kPHq9YY_7rGXRyQvZP0owX9PouAhIyb5457u",
         "u4E8ZfHKRPG8Z1nQsKOp-DT73-kyIkHICiUNZ86Ef7d")
PEM_LINES = ("ZJPSjmQtwbKtEt6bWsZtSbANYsCwRd+RvP0u78TY7anQdsFGo7LQe2OzJ8U5SojQ",
             "k0NpsQ7Bcqgm/t2l1CkWwBUfHntjzahKDRplButDJDGR73mhZZMF+BNHZWLF8T1v",
             "M9P+qqQEkDGB7I3RCipvhGo22eO6jkYakvn0OvZS")
BEGIN_PK = "-----BEGIN " + "PRIV" + "ATE KEY-----"
END_PK = "-----END " + "PRIV" + "ATE KEY-----"
GCP_PEM = BEGIN_PK + "\\n" + "MIIEv" + "\\n".join(PEM_LINES) + "\\n" + END_PK + "\\n"

SLACK_PATH = "T04BX2K9Q1M/B06HZ3LK8PW/" + "U9rIrGIcY2ahCYD3taVhNE1B"
DISCORD_TOKEN = "ORDMD5v7xU7g2DKYaR73xN6j0TzGnjrYCf7qbU3c-roKm6bMmHfqvFw3Uh-DJfRNz_MU"
TEAMS_PATH = (UUIDS[0] + "@" + UUIDS[1] + "/IncomingWebhook/" + HEX32[0] + "/" + UUIDS[2])

SECRETS: list[Case] = [
    # --- webhook URLs: the host and the fixed part of the path stay ---------------------------
    Case("slack-webhook", "POST https://hooks.slack.com/services/§ -> 404 no_service", SLACK_PATH),
    Case("slack-webhook",
         '{"channel": "#ops", "webhook_url": "https://hooks.slack.com/services/§"}', SLACK_PATH),
    Case("slack-webhook", "notify: https://hooks.slack.com/workflows/§",
         "T01ABCD2EFG/A05HIJK6LMN/468912345678901234/" + "DKo75x6ARFwhAIuawUV451MO"),
    Case("slack-webhook", "trigger https://hooks.slack.com/triggers/§ ok",
         "T0KD7M2QP/6512398745123/" + "090e97ed62f637bae2085dc1c60ed436"),
    Case("discord-webhook", "curl -X POST https://discord.com/api/webhooks/1187459034521698304/§",
         DISCORD_TOKEN),
    Case("discord-webhook", "DISCORD_HOOK=https://discordapp.com/api/webhooks/998877665544332211/§",
         "GRTfh7wVOW28UOmmj9JLZ-jZz2Q" + "xm5MslfY5ubiheyEd7P4zDL_ak6J0kGODKdinZ"),
    Case("discord-webhook",
         "https://canary.discord.com/api/v10/webhooks/1187459034521698304/§?wait=true",
         DISCORD_TOKEN),
    Case("teams-webhook", "Teams connector: https://contoso.webhook.office.com/webhookb2/§ (card)",
         TEAMS_PATH),
    Case("teams-webhook", "url = 'https://contoso.webhook.office.com/webhookb2/§'",
         TEAMS_PATH + "/V2" + SIG43[0]),
    Case("teams-webhook", "legacy https://outlook.office.com/webhook/§ 410 Gone", TEAMS_PATH),
    Case("teams-workflow",
         "https://prod-27.westeurope.logic.azure.com:443/workflows/"
         + "4e1b7d9c03a2f5e8b6c0d1a9f7e3b5c2"
         + "/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun"
         "&sv=1.0&sig=§", SIG43[0]),
    Case("teams-workflow",
         "https://default1a2b3c4d.0e.environment.api.powerplatform.com:443/powerautomate/"
         "automations/direct/workflows/" + "b80f2c6e91d4a37e5f0c8b2d6a1e9f43"
         + "/triggers/manual/paths/invoke"
         "?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=§", SIG43[1]),
    Case("azure-function-key",
         "GET https://billing-prod.azurewebsites.net/api/HttpTrigger1?code=§&name=x",
         "pUdlgN7y3qwYj0Jz-5vG2mXkWc8aR4tEfHbLsQ9oZi1KpV6n"),

    # --- JSON and YAML key/value pairs ----------------------------------------------------------
    Case("json", '{"user": "svc-deploy", "password": "§", "host": "db1"}', PW[0]),
    Case("json", "{'password': '§', 'host': 'db1'}", PW[1]),
    Case("yaml", "password: '§'\nport: 5432", PW[3]),
    Case("yaml", "api_key: §\ntimeout: 30", "abc123def"),
    Case("yaml", 'secret_token: "§"', TOK[0]),
    Case("yaml", "spring:\n  datasource:\n    url: jdbc:postgresql://db:5432/app\n"
                 "    username: app\n    password: §\n  jpa:\n    show-sql: false", PW[2]),
    Case("yaml", "apiVersion: v1\nkind: Secret\nstringData:\n  DB_PASSWORD: \"§\"\n", PW[0]),
    Case("yaml", "kind: Secret\ndata:\n  password: §\n  username: YWRtaW4=",
         "aVhCWEtGWmlYd0g3VkJPeVA0"),
    Case("yaml", "users:\n  - name: bob\n    password: §\n  - name: eve", PW[3]),
    Case("yaml", "database:\n  credentials:\n    password: §\n", "changeme"),
    Case("yaml", "  signing_key: §\n", B64_88),
    Case("yaml", "auth_token: §  # rotate monthly", TOK[1]),
    Case("yaml", "production:\n  secret_key_base: §", HEX64[0] + HEX64[1]),
    Case("toml", '[database]\npassword = "§"\nport = 5432', PW[1]),
    Case("json", '{"apiKey":"§","region":"eu-west-1"}', TOK[1]),
    Case("json", '{"body": "{\\"client_secret\\": \\"§\\"}", "status": 200}', TOK[2]),
    Case("json", '{"a": {"b": {"c": {"db_password": "§"}}}}', PW[2]),
    Case("json", '{"auths": {"registry.example.com": {"auth": "§"}}}',
         "ZGVwbG95LWJvdDp6d002emljeVpKIUlSaQ=="),
    Case("ini", "[client]\nuser = root\npassword = §\nhost = localhost", PW[0]),
    Case("xml", "<server>\n  <id>nexus</id>\n  <password>§</password>\n</server>", PW[3]),
    Case("xml", '<add key="StorageApiKey" value="§" />', TOK[3]),
    Case("php", "define('DB_PASSWORD', '§');", PW[0]),
    Case("php", '$password = "§";', PW[2]),
    Case("go", 'token := "§"', TOK[0]),
    Case("code", 'if password == "§":', PW[1]),
    Case("connection-string",
         "Server=tcp:db.example.net,1433;Database=app;User ID=sa;Password=§;Encrypt=true", PW[2]),
    Case("connection-string", "Driver={ODBC Driver 18};Server=db;Uid=sa;Pwd=§;", "Hk2v9PqLm4xZ"),
    Case("connection-string", "jdbc:mysql://db:3306/app?user=app&password=§&useSSL=true", PW[3]),
    Case("code", 'conn = connect(host="db", user="app", password="§")', PW[0]),

    # --- .env lines -------------------------------------------------------------------------------
    Case("dotenv", "DB_PASSWORD=§\nDB_HOST=localhost", PW[2]),
    Case("dotenv", "export STRIPE_SECRET=§", TOK[3]),
    Case("dotenv", 'AWS_SECRET_ACCESS_KEY="§"', "dLwFYxq3PJGx5O9cT9V7CCQbUXvKRlrJaN9Wknoy"),
    Case("dotenv", "DJANGO_SECRET_KEY='§'", "%q+w-+&7b3p&dkhx4py8g!pa=n0rlyk)ei%%2iiaannkksum8("),
    Case("dotenv", "NEXTAUTH_SECRET=§", B64_44B),
    Case("dotenv", "APP_KEY=§", "base64:" + B64_44),
    Case("dotenv", "MYSQL_ROOT_PASSWORD=§", "example-root-pw-1"),
    Case("dotenv", 'REDIS_PASSWORD = "§"', PW[1]),
    Case("dotenv", "SMTP_PASS=§", PW[3]),
    Case("dotenv", "JWT_SECRET=§", HEX64[2]),
    Case("dotenv", "export GITHUB_WEBHOOK_SECRET='§'", TOK[2]),
    Case("dotenv", "ENCRYPTION_KEY=§", HEX64[1]),
    Case("dotenv", "set API_TOKEN=§", TOK[0]),
    Case("dotenv", '$env:AZURE_CLIENT_SECRET = "§"', TOK[1]),
    Case("dotenv", "ENV DB_PASS=§", PW[2]),
    Case("dotenv", "    environment:\n      - POSTGRES_PASSWORD=§\n      - POSTGRES_USER=app",
         PW[0]),
    Case("dotenv", "AZURE_DEVOPS_PAT=§", "ayf38b7xah00jpkykuny17srd4thtjldqe9ont7f2sxk4uvwr3la"),

    # --- .netrc -----------------------------------------------------------------------------------
    Case("netrc", "machine api.example.com login bob password §", PW[0]),
    Case("netrc", "machine github.com\n  login octocat\n  password §\n", TOK[0]),
    Case("netrc", "machine a.example.org login ci\nmachine b.example.org login deploy password §",
         PW[1]),
    Case("netrc", "machine ci.example.org password § login builder\n", PW[2]),

    # --- command lines ----------------------------------------------------------------------------
    Case("curl", "curl -u bob:§ https://api.example.com/v1/me", PW[0]),
    Case("curl", "curl --user 'admin:§' -X POST https://api.example.com/jobs", PW[3]),
    Case("curl", "curl -s -uadmin:§ https://nexus.example.com/service/rest", PW[2]),
    Case("curl", "curl \\\n  --user deploy:§ \\\n  https://api.example.com", TOK[0]),
    Case("curl", 'curl -H "Authorization: Token §" https://api.example.com', TOK[2]),
    Case("curl", "curl -H 'X-API-Key: §' https://api.example.com", TOK[3]),
    Case("curl", 'curl --header "PRIVATE-TOKEN: §" https://gitlab.example.com/api/v4/projects',
         "hpaHBz04baPuTAdprnCA"),
    Case("httpie", "http -a bob:§ GET https://api.example.com/me", PW[1]),
    Case("sshpass", "sshpass -p '§' ssh deploy@10.0.0.5", PW[0]),
    Case("sshpass", "sshpass -p§ scp build.tgz host:/srv", PW[2]),
    Case("mysql", "mysql -h db -u root -p§ app < dump.sql", PW[2]),
    Case("mysql", "mysqldump -uroot -p'§' --all-databases > all.sql", PW[3]),
    Case("mysql", "mysql --password=§ -e 'select 1'", PW[1]),
    Case("redis-cli", "redis-cli -h cache -a § ping", TOK[0]),
    Case("docker-login", "docker login -u bob -p § registry.example.com", TOK[3]),
    Case("mongo", "mongosh mongodb://db:27017 -u admin -p § --authenticationDatabase admin", PW[2]),
    Case("cli-flag", "az ad sp create --client-secret § --years 1", TOK[1]),
    Case("cli-flag", "./deploy --api-token § --env prod", TOK[2]),
    Case("openssl", "openssl pkcs12 -export -in c.pem -passout pass:§ -out c.p12", PW[0]),

    # --- prose ------------------------------------------------------------------------------------
    Case("prose", "the password is § and the user is bob", "hunter2"),
    Case("prose", "password is: §", PW[3]),
    Case("prose", "pw: §", PW[0]),
    Case("prose", "my token is § (please rotate)", "abc123def456ghi789"),
    Case("prose", "The API key is §, please rotate it.", TOK[3]),
    Case("prose", "Password was § until yesterday", "Summer2024!"),
    Case("prose", "my password is '§'", "letmein99"),
    Case("prose", 'the passphrase is "§"', "correct horse battery staple"),
    Case("prose", "Hi team, the new wifi password is §. Thanks", "Gu3st-W1fi-2024"),
    Case("prose", "DB password changed to § after the incident", PW[1]),
    Case("prose", "API key: §", "0123fakekey4567abc"),

    # --- vendor tokens ----------------------------------------------------------------------------
    Case("twilio", "TWILIO_ACCOUNT_SID=§", "A" + "C" + "8d0e440304cfc1a7994907a3665c37f7"),
    Case("twilio", "twilio api key § created", "S" + "K" + "1ecc3780b411c4fd0a5e0b30ccc9031e"),
    Case("twilio", "TWILIO_AUTH_TOKEN=§", HEX32[0]),
    Case("azure-storage",
         "DefaultEndpointsProtocol=https;AccountName=stprod01;AccountKey=§;"
         "EndpointSuffix=core.windows.net", B64_88),
    Case("azure-service-bus",
         "Endpoint=sb://ns-prod.servicebus.windows.net/;SharedAccessKeyName="
         "RootManageSharedAccessKey;SharedAccessKey=§", B64_44),
    Case("azure-event-hub",
         "Endpoint=sb://eh.servicebus.windows.net/;SharedAccessKeyName=send;"
         "SharedAccessKey=§;EntityPath=orders", B64_44B),
    Case("azure-cosmos", "AccountEndpoint=https://acct.documents.azure.com:443/;AccountKey=§;",
         B64_88),
    Case("azure-sas",
         "https://stprod01.blob.core.windows.net/backups/db.bak?sv=2022-11-02&ss=b&srt=o&sp=r"
         "&se=2024-06-01T00:00:00Z&spr=https&sig=§", SIG_URLENC),
    Case("azure-sas",
         "BlobEndpoint=https://st.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02"
         "&ss=b&srt=sco&sp=rl&sig=§", SIG_URLENC),
    Case("aws-presigned",
         "https://bucket.s3.amazonaws.com/a.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256"
         "&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=§", HEX64[2]),
    Case("azure-ad", "created client credential, value §, expires 2026-05-01",
         "Zq7" + "8Q~" + "ED2b7HVdAxZxspjNgx~42rHwhpUcAIF" + "Lm2"),
    Case("datadog", "DD_API_KEY=§", HEX32[1]),
    Case("datadog", 'curl -X POST -H "DD-API-KEY: §" https://api.datadoghq.com/api/v2/series',
         HEX32[2]),
    Case("datadog", "datadog_api_key: §", HEX32[3]),
    Case("datadog", "DD_APP_KEY=§", HEX40[0]),
    Case("datadog", '{"datadog": {"application_key": "§"}}', HEX40[1]),
    Case("mailgun", "mailgun rejected § (401 Forbidden)",
         "key-" + "74bc5619be563ce0e9ba3bbd410c3a42"),
    Case("mailgun", 'requests.post(url, auth=("api", "§"))',
         "key-" + "74bc5619be563ce0e9ba3bbd410c3a42"),
    Case("docker-hub", "echo § | docker login -u bob --password-stdin",
         "dckr" + "_pat_" + "i2zhf1CEYZbCJZaiEaDqZVH2lEc"),
    Case("docker-hub", "DOCKERHUB_TOKEN=§", "dckr" + "_pat_" + "GRTfh7wVOW28UOmmj9JLZ-jZz2Q"),
    Case("docker-hub", "org token § has push scope",
         "dckr" + "_oat_" + "575yx8mCGmUXiAPyhzAnar3fZLt4"),
    Case("pypi", "[pypi]\n  username = __token__\n  password = §",
         "pypi" + "-AgEIcHlwaS5vcmc" + "CJGI0ZjdhMzQ1LTFhNjItNDM0Zi1iZTk3" + "jJOFKCpx25g97Sws"
         "uXElb7_adFLXqAhKw9z7dXpzTYEP7WWbkSUnY6i-1YSTYXDrxtD2hknbpzME1d"),
    Case("pypi", "uploaded with § ok",
         "pypi" + "-AgENdGVzdC5weXBpLm9yZw" + "IkNzE0YjU4NjktZjQ1Mi00ZTJh" + "LTk3YzgtMDAx"
         "ywRi4PDAT0MaNyvQqDN3LlznVkOa20wt_nJEbHqjcyVLx490euJeM4xXmAwd6"),
    Case("npm", "//registry.npmjs.org/:_authToken=§",
         "np" + "m_" + "D1FIaY5OLVrj9C4sGd0ePxAEL9WFMTgutSYp"),
    Case("npm", "publish failed for token §", "np" + "m_" + "adC1jEYsl1EHyiLTgoeVK5QZ2bDA5ozpI6IK"),
    Case("gcp-service-account",
         '{"type": "service_account", "project_id": "acme-prod", "private_key": "§", '
         '"client_email": "ci@acme-prod.iam.gserviceaccount.com"}', GCP_PEM),
    Case("gcp-service-account",
         '{"type": "service_account", "private_key_id": "§", "client_id": "1234567890"}',
         HEX40[0]),
    Case("shopify", "shopify admin token § leaked",
         "shp" + "at_" + "049b34c76998d9568bbc0d6048a73832"),
    Case("shopify", "SHOPIFY_SHARED=§", "shp" + "ss_" + HEX32[3]),
    Case("shopify", "custom app: §", "shp" + "ca_" + HEX32[0]),
    Case("shopify", "private app § revoked", "shp" + "pa_" + HEX32[1]),
    Case("heroku", "HEROKU_API_KEY=§", UUIDS[3]),
    Case("heroku", "heroku token § expired?",
         "HR" + "KU-" + "AA" + "7duwlSsu5SUC7GES6y8t-MB8zkS5hczjImAxEZQ9Gl4qv8x5Cjf8m5YWvy"),
    Case("atlassian", "JIRA_API_TOKEN=§",
         "ATATT3" + "xFfGF0" + "xOYP5qg2EaeYS9sPtdLWwuxBo71wt5mGamgZF7bjTnLkRUeg9kgTtwSfvvcpHkJq"
         "W4N89w3z_qGxiMkp6WQxvzYe8YLpDTz3-sBluLM0Uj9H6zBAlmJ2uuONmZ4tTncyU0L4F50Wkb6ee3I3GJfm4x"
         "TKal7qZ65Fy33kX3n" + "=" + "8A1B2C3D"),
    Case("atlassian", "confluence says § is invalid",
         "ATATT3" + "xFfGF0" + "uKmhr7jmPY72T3AVbfzx06UVZyvmbPkZyRHJouZrQV3xZAxjRM8mbTgDIMRBZxjX"
         "-BpYconEG4ZgzWbmHGJR1mAdggcG9qpVTzqA05MFsHl7UeioEJP2NNern66nVberACpdclsxHKifxi5CvQUSHL"
         "8iLc7bE6wSt9cbMOeEeUtuie" + "=" + "0F3C9A7B"),
    Case("linear", "LINEAR_API_KEY=§",
         "lin" + "_api_" + "U010kPWmrGVNEKy0fPGUuYH8vzwXriPPRwfBzoKV"),
    Case("linear", "linear sync failed with §",
         "lin" + "_api_" + "jQB33TjtIc9K9Nnq8aiAfQXQlW6wa4fNbOS0DO0Z"),
    Case("linear", "oauth token § refreshed",
         "lin" + "_oauth_" + "c9a04f6ca78f25544dd9220b7c9746f9d8401d994222449c88ade23750daa097"),
    Case("gitlab", "token § works",
         "gl" + "pat-" + "LEqiMEOvUP5-lWTtjW1KUBOWHSC" + ".01." + "r4t9g92m3"),
    Case("gitlab", "token § works",
         "gl" + "pat-" + "GRTfh7wVOW28UOmmj9JLZ-jZz2Q" + "." + "0r03gxo7a"),
    Case("gitlab", "deploy token: §", "gl" + "dt-" + "hpaHBz04baPuTAdprnCA"),
    Case("gitlab", "runner token § registered",
         "gl" + "rt-" + "t1_" + "LEqiMEOvUP5-lWTtjW1KUBOWHSC" + "." + "01r4t9g92"),
    Case("gitlab", "agent token §",
         "gl" + "agent-" + "XINJdrmPy9119RhSEGTGp51Z1GyXzQhWkuT6Ok4cZWbjUYNLt3"),
    Case("gitlab", "feature flags client §", "gl" + "ffct-" + "1wvTLEFaBMX9_fRakPy5"),
    Case("gitlab", "registration token §", "GR13" + "48941" + "1wvTLEFaBMX9_fRakPy5"),
    Case("gitlab", "scim §", "gl" + "soat-" + "hpaHBz04baPuTAdprnCA"),
    Case("gitlab", "Cookie-less call with _gitlab_session=§", "ayf38b7xah00jpkykuny17srd4thtjld"),
    Case("grafana", "GF_TOKEN §",
         "gl" + "sa_" + "1ZYzVCSiyBlaXTx8ne01OVNtfpx1OCKn" + "_" + "edeee0b5"),
    Case("grafana", "grafana cloud §",
         "gl" + "c_" + "HhTul7lWsyK/0hXIJ1AUuIcldk9PMrcds8bujHMHptaF0b/TXqO+vhhLK/YVbcT2"
         "eVr24WHMD/Flu0BgGALyOEmu8cOb/otSlgIpv1ox3rrYq2mBmnqIdnFH"),
    Case("grafana", "legacy api key §",
         "eyJr" + "Ijoi" + "JQMdcs7J4mvec5iM3nCZJsxJPq4w4Zahwlp8gGP2zMAKlc5T5CQFt3cin36RrH9E"
         "5TAUpFIW71tms0Ga"),
    Case("digitalocean", "doctl auth init -t §",
         "dop" + "_v1_" + "22b2ec096758160c57a00afbaeedc8e35dbbf52962d10510888ba2e0e871b8f2"),
    Case("digitalocean", "oauth §", "doo" + "_v1_" + HEX64[2]),
    Case("digitalocean", "refresh §", "dor" + "_v1_" + HEX64[1]),
    Case("sentry", "SENTRY_AUTH_TOKEN=§",
         "sntry" + "s_" + "eyJpYXQiOjE3MTYyMTk4MzIuNjE0ODI3LCJ1cmwiOiJodHRwczovL3NlbnRyeS5pbyIsInJl"
         "Z2lvbl91cmwiOiJodHRwczovL3VzLnNlbnRyeS5pbyIsIm9yZyI6ImFjbWUtb3BzIn0=" + "_"
         + "5xByfR2cPWPK62C1KZ3ZRHERYTRGTdAzGgezM+nOIEA"),
    Case("sentry", "sentry-cli with §",
         "sntry" + "s_"
         + "eyJpYXQiOjE3MTYyMTk4MzIuNjE0ODI3LCJ1cmwiOiJodHRwczovL3NlbnRyeS5pbyIsInJl"
         "Z2lvbl91cmwiOiJodHRwczovL3VzLnNlbnRyeS5pbyIsIm9yZyI6ImFjbWUtb3BzIn0="
         + "_" + "BrDSxOOyBymrEqlHXm31qzZcmzTUoRyj9nde9syxoAw"),
    Case("sentry", "user token §", "sntry" + "u_" + HEX64[0]),
    Case("postman", "postman key § used",
         "PM" + "AK-" + "0ff652d636d6b3cadf93dc08" + "-" + "8e6dff7082ba56b95676487c2bd161eaa8"),
    Case("age", "# created: 2024-05-01\n# public key: age1qyqszqgpqyqszqgpqyqszqgpqyqszqgp\n§\n",
         "AGE-SECRET" + "-KEY-1" + "AVGT2TMAX3G69R0ARRK3RJJQ3GU226VFEDQUM3JD64SXHRHVZGQVLNTJKK"),
    Case("telegram", "https://api.telegram.org/bot7412589630:§/sendMessage?chat_id=42",
         "AA" + "kI9eaBWITGObtPAB3nKx2t27q1D76nyqC"),
    Case("telegram", "TELEGRAM_BOT_TOKEN=§",
         "5893321477:" + "AA" + "np3v8PLmOh60X3b6CO_JFIerc_rD4Bzi4"),
    Case("telegram", "bot 5893321477:§ for @alerts_bot",
         "AA" + "np3v8PLmOh60X3b6CO_JFIerc_rD4Bzi4"),
    Case("discord-bot", "DISCORD_TOKEN=§",
         "MTE4NzQ1OTAzNDUyMTY5ODMwNA" + "." + "575yx8" + "."
         + "xm5MslfY5ubiheyEd7P4zDL_ak6J0kGODKdinZ"),
    Case("discord-bot", "client.run('§')",
         "MTE4NzQ1OTAzNDUyMTY5ODMwNA" + "." + "GSYEBA" + "."
         + "xm5MslfY5ubiheyEd7P4zDL_ak6J0kGODKdinZ"),
    Case("alibaba", "access key § in use", "LT" + "AI" + "4JVbH4svIOiEjrrwIVZf"),
    Case("vault", "vault token §",
         "hv" + "s." + "NhVDpkZ1Gcu24dsMLzjLxthA0J53Y-u1oWmSPAlOnw8I3wJp_TsbpurEiVrECDpO"
         "OlPpgTvYT1z-csahNvJFWHz-88"),
    Case("doppler", "doppler run --token §",
         "dp" + ".pt." + "t2hPapmny0us4pnTvqfeLNeDsrI197Lb3Cu0yw645uf"),
    Case("dynatrace", "dt token §",
         "dt0" + "c01." + "8JCS3RSG5M6EM06LPFDQSVUA" + "."
         + "CX5JD5TW8UO57HXNOQTSLLRPPVFEYGO701YDXN6MT9GJDGQJQTGN9UISN5YOLASW"),
    Case("terraform", 'credentials "app.terraform.io" { token = "§" }',
         "66m5mgry8loo62" + ".atlas" + "v1."
         + "9rjnu926pjft6-266lrdbhri82z_e3h0lz1zh4rm9bzq7gogf0rcnx7-nqn7wqrlfzd"),
    Case("terraform", "tfe token §",
         "66m5mgry8loo62" + ".atlas" + "v1."
         + "9rjnu926pjft6-266lrdbhri82z_e3h0lz1zh4rm9bzq7gogf0rcnx7-nqn7wqrlfzd"),
    Case("tailscale", "tailscale up --authkey=§",
         "tskey" + "-auth-" + "iy6KFglRwPg84" + "-" + "d3ADk6bwD14Qrxp70shV6glSXBBkWDCI"),
    Case("figma", "figma PAT §", "fig" + "d_" + "sUBnEaGFiilTAiJC7Kg0ICXmLzrkqdsob16gB6eT"),
    Case("sourcegraph", "src token §", "sg" + "p_" + "656c90bd5482a90a" + "_" + HEX40[1]),
    Case("pulumi", "PULUMI_ACCESS_TOKEN=§", "pul" + "-" + HEX40[0]),
    Case("pulumi", "pulumi login with §", "pul" + "-" + HEX40[1]),
    Case("rubygems", "gem push with §", "ruby" + "gems_" + HEX64[0][:48]),
    Case("supabase", "supabase token §", "sb" + "p_" + HEX40[1]),
    Case("supabase", "service key §", "sb" + "_secret_" + "qHPxTOCHkBWAtiiMgV6MrsV2wMFxD4o"),
    Case("perplexity", "pplx key §",
         "pp" + "lx-" + "fQXQlW6wa4fNbOS0DO0Z71oHttgITKxOAB3BKxyxu8gmR4u4"),
    Case("groq", "groq §", "gs" + "k_" + "EbC1fEK6bjy3SJqyZediFrmllY5h4g9j7EitNPSxI4C3s7I6wN7m"),
    Case("xai", "xai §",
         "xa" + "i-" + "kH1PGI0LCfDrAXsSliGya664M2S7YT8vIClt1FtRDoV7LZaDhHWvmLYPlsYnteM7"
         "CX1naiIxpNnYcmGk"),
    Case("replicate", "replicate §", "r8" + "_" + "Mors2Bs0DfhO2I1PdlttbzwUY1ZqQoOnRhWig"),
    Case("openrouter", "openrouter key §", "sk" + "-or-v1-" + HEX64[1]),
    Case("new-relic", "NEW_RELIC_USER_KEY §", "NR" + "AK-" + "NH2F23KNVRRE9VYMJNV67W609VC"),
    Case("planetscale", "pscale token §",
         "pscale" + "_tkn_" + "nLaOjI7bIahY_mR-2hGZ3WdTkF2oIpHk3qeAFXglnjS"),
    Case("planetscale", "mysql://u:§@aws.connect.psdb.cloud/db",
         "pscale" + "_pw_" + "nLaOjI7bIahY_mR-2hGZ3WdTkF2oIpHk3qeAFXglnjS"),
    Case("notion", "notion integration §",
         "nt" + "n_" + "J8UaFj45Gy9M0Mugx4A65BTXW2rFutOkcY82HAJcULnMIU"),
    Case("databricks", "databricks §", "da" + "pi" + "4c252bc3bd0f742def2c93029e81186b"),
    Case("easypost", "easypost §",
         "EZ" + "AK" + "qUkIZxgpgYrBL7dvbLEFsHR2l8f3e4dD9OTCMA6NU2aksTd1uR5n79"),
    Case("clojars", "deploy with §",
         "CLOJARS" + "_" + "2t9d1ib5mg1kfyp9qroi1g2l45slbvdjyfg6tx8bacivr6r1mjxo7xk603w6"),
    Case("shippo", "shippo §", "shippo" + "_live_" + HEX40[0]),
    Case("square", "square §", "sq0" + "atp-" + "BVrNkqNpY028QId2bpbHRT"),
    Case("square", "square secret §",
         "sq0" + "csp-" + "MvO4SWmRBne0zV0Lx-whgOyqmiQdtZHGtQDB6Quhs3A"),
    Case("buildkite", "buildkite §", "bk" + "ua_" + HEX40[1]),
    Case("circleci", "circle §", "CCI" + "PAT_" + "sE7szF0Thj0fSsRtWBB40j" + "_" + HEX40[0]),
    Case("langsmith", "langsmith §", "lsv2" + "_pt_" + HEX32[2] + "_" + "466f368201"),
    Case("readme", "readme §",
         "rd" + "me_" + "hMuAlewe6E1TbFwfI2T7ytV9Zv6YEHFmcnFTc8d604dmSBS8QMBePgXNKuEHX3vp"
         "u9VZiC"),
    Case("prefect", "prefect §", "pn" + "u_" + "gOYgOjC29GFfm7sFog16pAgTtpU4r16H1UrL"),
    Case("flyio", "fly §", "fo" + "1_" + "howxl8Y0nWNNTrL3kb9y2Q4EuIFTT0XI9vAmVl3oiRN"),
    Case("netlify", "netlify §", "nf" + "p_" + "gOYgOjC29GFfm7sFog16pAgTtpU4r16H1UrL"),
    Case("onepassword", "OP_SERVICE_ACCOUNT §",
         "ops" + "_eyJ" + "zaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSIsInVzZXJBdXRoIjp7Im1"
         "ldGhvZCI6IlNSUGctNDA5NiIsIm"
         + "qE9oNTJIyJEyFzfhbIH2denCJjluEV99TARR/rjp5B42HXtVtPLx2Vm7Pkk3+7Mb"
         "jNBkM/PKsCTPUpP4J4N6OCZFkUUdUYXyVXtwwl6KcChuLc2iNkQkJnOkdsm2FC+R" "6YSRQr/+jf0S"),
    Case("mapbox", "MAPBOX §",
         "sk" + ".eyJ1Ijoi" + "YWNtZS1vcHMiLCJhIjoi"
         + "WhfC6zWTFgpfuaHH055QOkMYtq_Hfk_ubYrUF13cahKRUOLLl5moj8KslFmt" + "."
         + "LUwUR03UWCN3i29GAQdONB"),
    Case("airtable", "airtable §", "pat" + "FTo6b8pe3ZWB4q" + "." + HEX64[1]),
    Case("jfrog", "artifactory §",
         "AK" + "Cp" + "KGTCIjMFMzVnDNhApk65oQdqJwgoiQnEctr6hsQN5vwCRczFFPzNBh4dhpHNVyaA" "UedZD"),
    Case("sendinblue", "brevo §", "xkeys" + "ib-" + HEX64[0] + "-" + "QTVsbaXpLcOkAWRy"),
    Case("sonar", "SONAR_TOKEN=§", "sq" + "p_" + HEX40[1]),
    Case("twitter", "bearer token §",
         "A" * 22 + "F" + "mCGmUXiAPyhzAnar3%2FZLt4bnlz2MPKgcjnCqaXNv1syeefnLOpaMxxNDi9LE1K"
         "i3ylOjt6o0NpUmkVO8JmR8y4EMf"),
    Case("facebook", "fb token §",
         "EA" + "AC" + "AdggcG9qpVTzqA05MFsHl7UeioEJP2NNern66nVberACpdclsxHKifxi5CvQUSHL"
         "8iLc7bE6wSt9cbMOeEeUtuieeCIxVc57VVTiY96vwfRE5e"),
    Case("mailchimp", "MAILCHIMP §", HEX32[3] + "-us" + "21"),
    Case("openshift", "oc login --token=§",
         "sha256" + "~" + "BrDSxOOyBymrEqlHXm31qzZcmzTUoRyj9nde9syxoAw"),
    Case("google", "gemini key §", "AI" + "za" + "SyD1FIaY5OLVrj9C4sGd0ePxAEL9WFMTg"),
    Case("google", "access token § in header",
         "ya" + "29." + "a0AfB_byC" + "uKmhr7jmPY72T3AVbfzx06UVZyvmbPkZyRHJouZrQV3"),
    Case("github", "git clone https://§@github.com/acme/app.git",
         "gh" + "p_" + "86yVfyZzh9ABVKkHQiCREQkLQUELDSIr1a2B"),
    Case("github", "gh auth token: §", "gh" + "o_" + "D1FIaY5OLVrj9C4sGd0ePxAEL9WFMTgutSYp"),
    Case("openai", "OPENAI_KEY §",
         "sk" + "-proj-" + "Zq5_6wkz4cJxRtpvUB_ty_EfyTU4SzT78F6qd70J" + "T3Blbk"
         + "FJ9yT7sWMintCu7lrUvD6Hwv"),
    Case("anthropic", "x-api-key §",
         "sk" + "-ant-" + "api03-"
         + "kH1PGI0LCfDrAXsSliGya664M2S7YT8vIClt1FtRDoV7LZaDhHWvmLYPlsYnteM7" "CX1naiIxpNnYcmGk"
         + "-" + "9yT7sWAA"),
    Case("aws", "aws_access_key_id = §", "AK" + "IA" + "2E9CYKY4K58D150S"),
    Case("stripe", "stripe restricted key §",
         "rk" + "_live_" + "51Hh2E9CYKY4K58D150S7ZTX7S4R9SgOYgOjC29GFfm7sFog16"),
    Case("slack", "SLACK_BOT_TOKEN=§",
         "xo" + "xb-" + "4601282958-5893321477123-" + "np3v8PLmOh60X3b6CO_JFIer"),
    Case("huggingface", "hf §", "hf" + "_" + "QTVsbaXpLcOkAWRygOYgOjC29GFfm7sFog"),
    Case("sendgrid", "sendgrid §",
         "S" + "G." + "ngeVfQFYQlKU0ufo8x5d1A" + "."
         + "TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr"),
    Case("jwt", "id_token=§",
         "ey" + "JhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9" + "." + "ey"
         + "JzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6ImFsaWNlIn0" + "."
         + "uKmhr7jmPY72T3AVbfzx06UVZyvmbPkZyRHJouZrQV3xZAxjRM8mbTgDIMRBZxjX"),
    Case("private-key", "key:\n§\nend",
         BEGIN_PK.replace("PRIV", "OPENSSH PRIV") + "\n" + PEM_LINES[0] + "\n" + PEM_LINES[1]
         + "\n" + END_PK.replace("PRIV", "OPENSSH PRIV")),
    Case("url", "DATABASE_URL=postgres://app:§@db.internal:5432/app", PW[2]),
    Case("url", "amqp://guest:§@rabbit:5672/", "r4bb1tP4ss"),
]


# text that must come back byte for byte
LOOKALIKES: list[str] = [
    # hashes, ids and digests
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 merged into main",
    "Merge 3f5e2a1..9fceb02 into release/1.4",
    "request 123e4567-e89b-12d3-a456-426614174000 finished in 41ms",
    "b9b93f85d3944584f1a22f36a99331c16ef8f5d939dd2a266b76abe42bd2b164  dist/app-1.4.2.tar.gz",
    "pulled ghcr.io/acme/app@sha256:"
    "486d55c697a5dccabd905a0951ae436f56a6e0f6e57deed0a9d334cfe9d10aac",
    '"integrity": "sha512-CYE6cjDGDqYgbONpI88LE1F6jhkI9uqoC16TN0HxV2zx'
    'pkgQpLo/rPdfcoH11eVqgpiWF0IOsrd9mOltqPdvrg=="',
    "md5 d41d8cd98f00b204e9800998ecf8427e for empty.txt",
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
    "X-Request-Id: 7c1e5d0a93b24f6e8d2a41c0b9f3e657",
    "keyid 0x4AA4767BBC9C4B1D signed the release",
    "arn:aws:iam::123456789012:role/deploy-prod",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx5O9cT9V7CCQbUXvKRlrJaN9Wknoy0mYch1hdseOF5 bob@laptop",
    "Content-Security-Policy: script-src 'sha256-RFWPLDbv2BY+rCkDzsE+0fr8ylGr2R2faWMhq4lfEQc='",
    # variables and templates
    "export API_TOKEN=$API_TOKEN",
    "password: ${DB_PASSWORD}",
    "token: {{ secrets.GITHUB_TOKEN }}",
    "NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}",
    "curl -u $USER:$PASS https://api.example.com",
    'curl -u "$CREDENTIALS" https://api.example.com',
    "mysqldump -uroot -p$MYSQL_ROOT_PASSWORD app",
    "sshpass -p \"$SSHPASS\" ssh deploy@host",
    "docker login -u bob -p ${REGISTRY_TOKEN} registry.example.com",
    # ordinary text, versions, paths, URLs
    "payload aGVsbG8gd29ybGQsIHRoaXMgaXMgYSB0ZXN0IG1lc3NhZ2UgZm9yIHRoZSBxdWV1ZQ== received",
    "upgraded numpy 1.26.4 -> 2.0.0rc1 on python 3.12.3 (build 20240521.3)",
    "Windows 11 build 10.0.22631.3593",
    "see /home/bob/.ssh/id_ed25519.pub and /etc/ssl/private/server.key",
    "https://api.example.com/v1/tokens?page=2&per_page=50",
    "https://api.slack.com/messaging/webhooks",
    "https://hooks.slack.com/services/",
    "https://discord.com/developers/docs/resources/webhook#execute-webhook",
    "POST /api/webhooks/ creates a webhook",
    "https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/"
    "add-incoming-webhook",
    "https://outlook.office.com/mail/inbox/id/AAQkADAwATM0MDAAMS0xMgBiLTNh",
    "https://st.blob.core.windows.net/c/f.txt?sv=2022-11-02&sig=<signature>",
    "mail someone@example.com about the 2024-05-01 outage",
    # prose about credentials, without one
    "please reset your password before Friday",
    "the token expired at 12:00, refresh and retry",
    "the token is expired",
    "the password is incorrect",
    "my token is no longer valid",
    "password is required",
    "The secret is out: we ship on Monday.",
    "password was reset yesterday by the helpdesk",
    "the API key is missing from the request",
    "Our API uses token-based auth; see docs/auth.md",
    "The machine learning login page asks for a password reset.",
    "machine: x86_64\nlogin: bob",
    "Authorization header is required for /v1/items",
    # keys that describe a credential rather than hold one
    "token_count: 12",
    "password_reset_url: https://example.com/reset?id=42",
    "secret_name: prod/db/password",
    "api_key_id: 4f3c2a1b",
    '"token_type": "Bearer", "expires_in": 3600',
    "kind: Secret\nmetadata:\n  name: db-credentials\n  namespace: prod",
    "sort key: created_at desc",
    # placeholders
    "api_key: <your-token>",
    "token: xxxx",
    "password: ********",
    "API_KEY=your-api-key-here",
    "GITHUB_TOKEN=" + "gh" + "p_" + "x" * 36,
    "AWS_ACCESS_KEY_ID=" + "AK" + "IA" + "X" * 16,
    "AccountKey=<key>;EndpointSuffix=core.windows.net",
    # command lines that look like credential flags
    "docker run -u 1000:1000 -p 8080:80 nginx",
    "git push -u origin main",
    "sudo -u postgres psql -p 5433",
    "curl --user-agent 'Mozilla/5.0 (X11; Linux x86_64)' https://example.com",
    "mysql -u root -p app",
    "mysql -h db -P 3306 -u app",
    "sshpass -f ~/.sshpass ssh deploy@host",
    "redis-cli -h cache -p 6380 ping",
    "mkdir -p /srv/app && ssh -p 2222 host",
    "docker login registry.example.com --password-stdin < token.txt",
    # prefixes without a body
    "Docker Hub tokens start with dckr_pat_ and can be revoked",
    "Grafana service accounts use glsa_ tokens",
    "the key-value store and key-rotation-2024-05-01",
    "latency p99=120ms tokens=4096 passes=3",
    "error at 12345:Abc and 10:30:45",
    "scikit-learn (sk-learn) 1.4.2 installed",
    "install pypi-simple 1.5.0 from PyPI",
    "ACKNOWLEDGED_BY_ONCALL_ENGINEER_TEAM_X",
    # false positives found by running redact over /etc, man pages and scripts, and prose probes
    "<privateKey>/path/to/private/key</privateKey>",
    "<passphrase>optional; leave empty if not used.</passphrase>",
    "decrypt without a password is GNUTLS_E_DECRYPTION_FAILED.",
    "Since update-passwd is single-threaded, this is unnecessary;",
    "#ssl_passphrase_command_supports_reload = off",
    "the token is valid for 3600 seconds",
    "our token is OAuth2-based and the secret is base64-encoded",
    "the token is 'expired'",
    "the password is: see 1Password",
    "define('AUTH_KEY', 'put your unique phrase here');",
    "--password-file /run/secrets/db --secret-name prod/db --password prompt",
    "machine github.com login bob",
    "The key is in ~/.ssh/id_rsa",
    "http -a bob https://api.example.com",
    "<token>expired</token> <apiKey>${API_KEY}</apiKey>",
]
