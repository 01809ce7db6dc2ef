"""``python bench/apps/patched_serve.py MODULE PORT [ATTR]``: monkey-patch first, then ``MODULE.ATTR.serve()``.

What a user gets by putting ``from gevent import monkey; monkey.patch_all()`` at the top of the
script: blocking calls are cooperative, so ``def`` endpoints and tasks run inline, with no thread hop.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import importlib  # noqa: E402
import sys  # noqa: E402

if __name__ == "__main__":
    module = importlib.import_module(sys.argv[1])
    getattr(module, sys.argv[3] if len(sys.argv) > 3 else "app").serve("127.0.0.1", int(sys.argv[2]), access_log=False)
