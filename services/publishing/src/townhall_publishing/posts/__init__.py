"""Posts (social and official): their tables, what every step on a post needs of it
(`access`) and does besides itself (`lifecycle`), their search documents, and creating,
editing, deleting, pinning and endorsing them."""
