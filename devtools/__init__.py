"""Development tools, kept out of the runtime package ``backend``.

``embedded_mongo`` (the development and test database) and ``scaffold`` (the
``flask scaffold`` command) run on a developer's machine only: the Docker image
copies ``backend/`` alone, and SecantusDB is a development dependency.
"""
