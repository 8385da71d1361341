"""Company profiles, the directory companies search, their shortlists and suggestions."""
