# Shared by scripts/demo and scripts/test: where the project is, and how missing Debian packages are
# installed (as root) or reported (otherwise, with the exact apt-get line, exit 1).

MLDP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# What building mldp's library and examples needs.
MLDP_BUILD_PACKAGES=(cmake ninja-build g++ ccache pkg-config
                     libxtensor-dev xtl-dev libxtensor-blas-dev libopenblas-dev
                     libfmt-dev nlohmann-json3-dev libxxhash-dev)
# What the test suite adds: doctest, Google Benchmark (its cases are compiled), the reference hash
# libraries, clang with libc++ for the cross-standard-library build, and Chromium, its driver and
# Selenium for the demo report's browser test.
MLDP_TEST_PACKAGES=("${MLDP_BUILD_PACKAGES[@]}" doctest-dev libbenchmark-dev libfarmhash-dev
                    clang libc++-dev libc++abi-dev python3 chromium chromium-driver python3-selenium locales)

mldp_say() { printf '\n==> %s\n' "$*"; }

# mldp_require_packages pkg...: installs what is missing (root) or prints the apt-get line and exits 1.
mldp_require_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "mldp: not a Debian-based system; make sure these are installed: $*" >&2
        return 0
    fi
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        mldp_say "installing missing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
        echo "mldp: these Debian packages are missing. Install them with:" >&2
        echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
}
