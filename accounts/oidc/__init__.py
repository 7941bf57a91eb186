"""Sign-in with an institution's identity provider over OpenID Connect (authorization code
flow with PKCE): providers a site admin configures (`providers`), their discovery documents
and key sets (`discovery`), the round trip to the provider and the id_token's checks
(`flow`, `id_token`), and linking provider accounts to Coursewire accounts (`linking`).
Local accounts with passwords stay; docs/sign-in.md is the administrator's guide."""
