"""The one compiled part: anonymizer._hmac, batched HMAC-SHA256 in OpenSSL (see anonymizer/_hmac.c).

Everything else is declared in pyproject.toml; setuptools reads ext_modules only from here.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "anonymizer._hmac",
            sources=["anonymizer/_hmac.c"],
            libraries=["crypto"],  # OpenSSL's libcrypto; headers from libssl-dev (on the machine image)
            extra_compile_args=["-O3", "-pthread", "-Wall", "-Werror"],
            extra_link_args=["-pthread"],
        )
    ]
)
