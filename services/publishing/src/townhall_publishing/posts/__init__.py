"""Posts (social and official) and their comments."""
