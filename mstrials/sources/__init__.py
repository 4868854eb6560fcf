"""Registry clients and file formats: the only code that talks to the network or reads downloads."""
