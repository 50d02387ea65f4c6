"""A local AWS for tests and the demo: a moto server plus emulations of what moto lacks."""
