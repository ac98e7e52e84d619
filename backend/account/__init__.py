"""The account page: change email or password, end other sessions, delete the account."""
