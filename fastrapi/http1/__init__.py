"""fastrapi's HTTP/1.1 server side: requests parsed by httptools (llhttp), strict where llhttp is lenient.

``parsing`` turns bytes into requests and refusals, ``body`` is the ``wsgi.input`` that pulls a request's body
through the parser, ``writing`` checks and frames responses, ``connection`` runs one connection's keep-alive loop.
"""
