"""Policy as the OAuth 2.0 issuer of service tokens (client-credentials grant) and its JWKS."""
