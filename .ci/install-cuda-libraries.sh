#!/usr/bin/env bash
# Installs what the CUDA tests need on a machine without a GPU, from Debian's non-free component:
#   libnvrtc11.2  NVRTC (CUDA 11.8): every CUDA kernel NGGen emits is compiled to PTX in CI;
#   libcuda1      the driver library alone (no kernel module): the binding's exports are checked against it and its
#                 cuInit reports "no device", which must become the clean CPU fallback.
# Adds the non-free component to apt's sources when it is missing. Exits non-zero if anything cannot be installed.
set -euo pipefail
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

# grep reads all of ldconfig's output (no -q): with pipefail, grep -q exiting early made ldconfig die of SIGPIPE
# and the check fail at random.
have_nvrtc() { ldconfig -p | grep 'libnvrtc\.so\.\(11\.2\|12\)' >/dev/null; }
have_driver() { ldconfig -p | grep 'libcuda\.so\.1' >/dev/null; }
have_gpp() { command -v g++ >/dev/null; }
if have_nvrtc && have_driver && have_gpp; then
    exit 0
fi

if ! grep -rqs 'non-free' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "Adding Debian's contrib and non-free components to apt's sources" >&2
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: %s %s-updates\nComponents: contrib non-free\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$codename" "$codename" | $sudo_cmd tee /etc/apt/sources.list.d/nggen-non-free.sources >/dev/null
fi
echo "Installing libnvrtc11.2, libcuda1 and g++ (about 1 minute)..." >&2
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends libnvrtc11.2 libcuda1 g++ >/dev/null
have_nvrtc && have_driver && have_gpp
