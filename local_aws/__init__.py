"""A local AWS for tests and the demo: the emulator (``emulator``), its seeding toolkit (``seed``), the
customer-deploy driver (``deploy``) and the demo (``demo``)."""
