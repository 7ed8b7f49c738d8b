#!/usr/bin/env bash
# `npm run kernels`: the real Linux 6.1 and 6.12 objects that dsl/linux-6.1.fault and
# dsl/linux-6.12.fault are written from, built from Debian's linux-source packages with the arm64
# defconfig and Debian's AArch64 cross gcc.
#
# For each version it downloads the package (apt-get download: nothing is installed), unpacks from
# its tarball only what defconfig, prepare and the two objects need (measured: 9 s against 10-27 s
# for all of it, 250 MB against 1.5 GB), runs `make defconfig prepare`, then builds
#   arch/arm64/kvm/hyp/nvhe/switch.nvhe.o and arch/arm64/kvm/hyp/vhe/switch.o
# exactly as the kernel build does, and beside them, under faultc-dwarf/, the same compiles with
# full debug information (the defconfig's CONFIG_DEBUG_INFO_REDUCED describes only the structs of
# the file being compiled, so struct kvm_vcpu_fault_info is a bare declaration there). The twins
# are checked to hold the same code and relocations as the real objects.
#
# Trees: $FAULTC_KERNELS_DIR/linux-6.1 and .../linux-6.12 (default .cache/kernels, git-ignored).
# A stamp per tree makes a second run a no-op. Any failure stops the script with the reason.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KDIR="${FAULTC_KERNELS_DIR:-$ROOT/.cache/kernels}"
# Bump when the recipe below changes what a tree holds: an older stamp is then rebuilt.
RECIPE=1
# The Debian versions the rule files cite (their `source` lines). If the archive no longer has one,
# the current candidate is used with a warning: the logic is expected to hold, line numbers may not.
declare -A PINNED=([6.1]="6.1.192-3" [6.12]="6.12.117-1~deb12u1")
OBJECTS=(arch/arm64/kvm/hyp/nvhe/switch.nvhe.o arch/arm64/kvm/hyp/vhe/switch.o)
MAKEFLAGS_K=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- "-j$(nproc)")

die() { echo "kernels: error: $*" >&2; exit 1; }
say() { echo "kernels: $*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# Run one step with its time; on failure show the end of its log and stop.
step() {
  local name="$1" log="$2"; shift 2
  local t0; t0=$(now)
  # A subshell, so that a `die` inside the step ends the step and is shown from its log.
  if ! ( "$@" ) >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "$name failed (full log: $log)"
  fi
  say "  $name: $(since "$t0")"
}

need_tools() {
  local missing=()
  command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
  command -v aarch64-linux-gnu-readelf >/dev/null && command -v aarch64-linux-gnu-objdump >/dev/null || missing+=(binutils-aarch64-linux-gnu)
  local t
  for t in flex bison bc make gcc xz; do
    command -v "$t" >/dev/null || missing+=("$([ "$t" = xz ] && echo xz-utils || echo "$t")")
  done
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die "apt-get and dpkg-deb are needed (a Debian system)"
  [ ${#missing[@]} -eq 0 ] && return
  say "installing ${missing[*]}"
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]}; run as root, or: apt-get install -y --no-install-recommends ${missing[*]}"
  apt-get update -q >/dev/null || die "apt-get update failed"
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
}

# The .deb of linux-source-$1 in $KDIR/debs (downloaded if absent); prints its path.
fetch_deb() {
  local v="$1" pkg="linux-source-$1" want="${PINNED[$1]}" deb
  mkdir -p "$KDIR/debs"
  deb=$(ls "$KDIR/debs/${pkg}_${want/\~/%7e}_all.deb" "$KDIR/debs/${pkg}_${want}_all.deb" 2>/dev/null | head -n 1 || true)
  if [ -z "$deb" ]; then
    local t0; t0=$(now)
    # apt-get download writes into the current directory; it works without root.
    if ! (cd "$KDIR/debs" && apt-get download -q "$pkg=$want" >/dev/null 2>&1); then
      if [ "$(id -u)" = 0 ]; then apt-get update -q >/dev/null 2>&1 || true; fi
      if ! (cd "$KDIR/debs" && apt-get download -q "$pkg=$want" >/dev/null 2>&1); then
        echo "kernels: WARNING: $pkg $want is not in the archive; using its current version (dsl/linux-$v.fault cites $want: check its line numbers)" >&2
        (cd "$KDIR/debs" && apt-get download -q "$pkg" >/dev/null) || die "apt-get download $pkg failed"
      fi
    fi
    deb=$(ls -t "$KDIR/debs/${pkg}_"*_all.deb 2>/dev/null | head -n 1 || true)
    [ -n "$deb" ] || die "apt-get download $pkg left no .deb in $KDIR/debs"
    say "  download $(basename "$deb"): $(since "$t0")" >&2
  fi
  echo "$deb"
}

# What the build reads of the tarball: the build system, the arm64 tree, the generic sources that
# prepare compiles (bounds, asm-offsets, the vDSO) and headers; every Kconfig, Makefile and Kbuild
# file so that defconfig sees the whole configuration; the x86 syscall table checksyscalls.sh reads.
unpack() {
  local deb="$1" v="$2" tree="$3" top="linux-source-$2"
  local parts=("*Kconfig*" "*Makefile*" "*Kbuild*" .gitignore COPYING arch/arm64 arch/x86/entry/syscalls
    include scripts tools kernel lib usr init virt mm security crypto certs block ipc)
  local members=() p
  for p in "${parts[@]}"; do members+=("$top/$p"); done
  mkdir -p "$tree"
  dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$top.tar.xz" | xz -T0 -dc |
    tar -x --wildcards --strip-components=1 -C "$tree" "${members[@]}"
}

# The kernel's own compile command of object $1 (from its .cmd file), with full debug info and the
# output in faultc-dwarf/. Only the two reduced-debug flags and the dependency file are dropped.
dwarf_twin() {
  local o="$1" d b cmd
  d=$(dirname "$o"); b=$(basename "$o")
  # 6.1 names the line cmd_<object>, 6.12 savedcmd_<object>.
  cmd=$(sed -n -E "s|^(saved)?cmd_$o := ||p" "$d/.$b.cmd")
  [ -n "$cmd" ] || die "no saved compile command for $o in $d/.$b.cmd"
  case "$cmd" in *" -fno-var-tracking -femit-struct-debug-baseonly "*) ;; *) die "$o: the compile command has not the expected reduced-debug flags" ;; esac
  cmd=${cmd/ -fno-var-tracking -femit-struct-debug-baseonly / }
  cmd=${cmd/-Wp,-MMD,$d\/.$b.d /}
  cmd=${cmd/ -o $o / -o faultc-dwarf\/$o }
  mkdir -p "faultc-dwarf/$d"
  sh -c "$cmd"
}

# The checks that make a tree usable: objects are AArch64 relocatables with __get_fault_info, the
# twins hold the same code and relocations and describe struct kvm_vcpu_fault_info.
verify() {
  local o
  for o in "${OBJECTS[@]}"; do
    aarch64-linux-gnu-readelf -h "$o" | grep -q 'REL (Relocatable file)' || die "$o is not a relocatable object"
    aarch64-linux-gnu-readelf -h "$o" | grep -q 'AArch64' || die "$o is not an AArch64 object"
    aarch64-linux-gnu-nm "$o" | grep -Eq ' [tT] __get_fault_info$' || die "$o has no function __get_fault_info"
    cmp -s <(aarch64-linux-gnu-objdump -dr "$o" | tail -n +3) <(aarch64-linux-gnu-objdump -dr "faultc-dwarf/$o" | tail -n +3) ||
      die "faultc-dwarf/$o differs in code or relocations from $o"
    aarch64-linux-gnu-readelf --debug-dump=info "faultc-dwarf/$o" 2>/dev/null |
      awk '/DW_TAG_/ { if (/DW_TAG_member/) next; in_s = /DW_TAG_structure_type/; f = 0; next }
        in_s && /DW_AT_name.*: kvm_vcpu_fault_info$/ { f = 1 }
        f && /DW_AT_name.*: hpfar_el2$/ { ok = 1 }
        END { exit !ok }' ||
      die "faultc-dwarf/$o does not describe struct kvm_vcpu_fault_info with its members"
  done
  # The capability numbers the alternatives use: cpucap-defs.h since 6.3, cpucaps.h before.
  local caps
  caps=$(ls arch/arm64/include/generated/asm/cpucap-defs.h arch/arm64/include/generated/asm/cpucaps.h 2>/dev/null | head -n 1 || true)
  [ -n "$caps" ] || die "prepare generated no cpucap-defs.h or cpucaps.h"
  grep -Eq '^#define ARM64_WORKAROUND_834220[[:space:]]+[0-9]+' "$caps" || die "$caps defines no ARM64_WORKAROUND_834220"
}

build() {
  local v="$1" tree="$KDIR/linux-$1" stamp="$KDIR/linux-$1/.faultc-stamp" deb ver t0
  if [ -f "$stamp" ] && grep -qx "recipe=$RECIPE" "$stamp"; then
    say "linux-$v: up to date ($(sed -n 's/^package=//p' "$stamp"))"
    return
  fi
  t0=$(now)
  say "linux-$v: building in $tree"
  deb=$(fetch_deb "$v")
  ver=$(dpkg-deb -f "$deb" Version)
  rm -rf "$tree"
  step "unpack $(basename "$deb")" "$KDIR/linux-$v.unpack.log" unpack "$deb" "$v" "$tree"
  cd "$tree"
  step "make defconfig" "$KDIR/linux-$v.defconfig.log" make "${MAKEFLAGS_K[@]}" defconfig
  step "make prepare" "$KDIR/linux-$v.prepare.log" make "${MAKEFLAGS_K[@]}" prepare
  step "make ${OBJECTS[*]}" "$KDIR/linux-$v.objects.log" make "${MAKEFLAGS_K[@]}" "${OBJECTS[@]}"
  local o
  for o in "${OBJECTS[@]}"; do
    step "debug-info twin of $o" "$KDIR/linux-$v.dwarf.log" dwarf_twin "$o"
  done
  verify
  cd "$ROOT"
  printf 'recipe=%s\npackage=linux-source-%s %s\nkernelversion=%s\n' "$RECIPE" "$v" "$ver" \
    "$(make -s -C "$tree" kernelversion 2>/dev/null)" >"$stamp.tmp"
  mv "$stamp.tmp" "$stamp"
  say "linux-$v: done in $(since "$t0")"
}

main() {
  local t0; t0=$(now)
  mkdir -p "$KDIR"
  KDIR=$(cd "$KDIR" && pwd) # the build steps run inside the trees
  exec 9>"$KDIR/.lock"
  flock 9 || die "cannot lock $KDIR/.lock"
  need_tools
  build 6.1
  build 6.12
  say "all done in $(since "$t0")"
}

main "$@"
