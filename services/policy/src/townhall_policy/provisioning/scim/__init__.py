"""SCIM 2.0 (RFC 7643/7644) Users and Groups: an identity provider's provisioning (Entra
ID, Okta) drives the directory through the same changes as the CSV import."""
