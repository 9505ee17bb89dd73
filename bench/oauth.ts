// The OAuth2 client-credentials grant a provider system uses to get its bearer token (POST /fhir/token in Koepel).

/** Asks the token endpoint for an access token with HTTP Basic client authentication (RFC 6749 §2.3.1). */
export async function clientCredentialsToken(tokenUrl: string, clientId: string, secret: string): Promise<string> {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}
