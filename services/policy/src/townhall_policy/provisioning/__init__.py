"""Provisioning the directory and its roles from outside: the CSV import (file or HTTP) and
the first administrator. Above `directory` and `grants`, which it drives."""
