#!/usr/bin/env bash
# Compiles podnet's BPF programs (CO-RE) for the Maven build:
#   build.sh <source dir> <output dir for *.bpf.o> <work dir for vmlinux.h>
# Each <name>.bpf.c becomes <output>/<name>.bpf.o. vmlinux.h is generated once from this machine's
# kernel BTF; CO-RE relocations make the objects load on other kernels, so the build kernel only has to
# be recent enough to know every type the programs name. An object is rebuilt only when its source or
# a header is newer, so repeated builds cost nothing.
set -euo pipefail
src=$1 out=$2 work=$3
btf=${PODNET_BTF:-/sys/kernel/btf/vmlinux}

for tool in clang bpftool; do
  if ! command -v "$tool" >/dev/null; then
    echo "podnet: '$tool' is needed to compile the BPF programs (scripts/install-deps build)" >&2
    exit 1
  fi
done
if [ ! -e /usr/include/bpf/bpf_helpers.h ]; then
  echo "podnet: libbpf headers missing (/usr/include/bpf); install libbpf-dev (scripts/install-deps build)" >&2
  exit 1
fi

mkdir -p "$out" "$work"
vmlinux=$work/vmlinux.h
if [ ! -s "$vmlinux" ]; then
  if [ ! -r "$btf" ]; then
    echo "podnet: no kernel BTF at $btf to generate vmlinux.h (set PODNET_BTF to a vmlinux BTF file)" >&2
    exit 1
  fi
  bpftool btf dump file "$btf" format c > "$vmlinux.tmp"
  mv "$vmlinux.tmp" "$vmlinux"
fi

case "$(uname -m)" in
  x86_64) arch=x86 ;;
  aarch64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac

shopt -s nullglob
headers=("$src"/*.h "$(dirname "$0")"/*.h "$vmlinux")
for source in "$src"/*.bpf.c; do
  object=$out/$(basename "${source%.c}").o
  stale=0
  [ "$object" -nt "$source" ] || stale=1
  for h in "${headers[@]}"; do [ "$object" -nt "$h" ] || stale=1; done
  [ $stale = 1 ] || continue
  echo "podnet: compiling $(basename "$source")" >&2
  clang -g -O2 -target bpf -D__TARGET_ARCH_$arch -Wall -Werror \
    -I "$work" -I "$(dirname "$0")" \
    -c "$source" -o "$object.tmp"
  # DWARF is only for humans; BTF (.BTF, .BTF.ext) stays, and CO-RE needs it.
  if command -v llvm-strip >/dev/null; then llvm-strip -g "$object.tmp"; fi
  mv "$object.tmp" "$object"
done
