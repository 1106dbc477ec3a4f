"""A real Apache httpd on 127.0.0.1 and a free port, serving one folder whose `.htaccess` is
read with `AllowOverride All` and mod_rewrite, as w3id.org runs its folders.

Everything lives in a temporary ServerRoot (configuration, pid file, logs, runtime files); the
Debian `apache2` package is installed by `make system-deps`. Started as root, httpd serves as
`nobody`, so the folder is made readable to it.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.servers import free_port, started

HTTPD = "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")


def _config(root: Path, port: int) -> str:
    user = ""
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        user = f"User nobody\nGroup {grp.getgrgid(nobody.pw_gid).gr_name}\n"
    return f"""ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{root}/httpd.pid"
DefaultRuntimeDir "{root}/run"
ErrorLog "{root}/error.log"
LogLevel warn rewrite:trace2
{user}LoadModule mpm_event_module {MODULES}/mod_mpm_event.so
LoadModule authz_core_module {MODULES}/mod_authz_core.so
LoadModule rewrite_module {MODULES}/mod_rewrite.so
DocumentRoot "{root}/htdocs"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "{root}/htdocs">
    AllowOverride All
    Require all granted
</Directory>
"""


@contextmanager
def apache_serving(folders: dict[str, Path]) -> Iterator[str]:
    """Serve each `folders` name -> a local folder (copied, with its `.htaccess`) under
    `http://127.0.0.1:PORT/<name>/`; yield the base URL."""
    if not Path(HTTPD).exists():
        raise RuntimeError(f"{HTTPD} is missing: run `make system-deps` (Debian apache2)")
    root = Path(tempfile.mkdtemp(prefix="clusterkg-apache-"))
    try:
        for name, folder in folders.items():
            shutil.copytree(folder, root / "htdocs" / name)
        (root / "run").mkdir()
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        port = free_port()
        (root / "httpd.conf").write_text(_config(root, port), encoding="utf-8")
        base = f"http://127.0.0.1:{port}"
        error = root / "error.log"

        def with_log(stderr: str) -> str:
            return f"{stderr} {error.read_text() if error.exists() else ''}"

        command = [HTTPD, "-f", str(root / "httpd.conf"), "-DFOREGROUND"]
        with started(command, base + "/", name="apache2", ready=lambda _: True, exited=with_log):
            yield base
    finally:
        shutil.rmtree(root, ignore_errors=True)
