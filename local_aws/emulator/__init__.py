"""The local AWS emulator: moto's server in its own process, with emulations and fixes of what moto lacks."""
