"""The publishing service's public contract: what its API accepts and answers.

Publishing validates and answers with these models; the portal, the clients and the tests
read them. One module per part of the API: spaces, posts, engagement (comments, reactions,
acknowledgements), feed, moderation, indicators.
"""
