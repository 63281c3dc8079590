# Writing small .npy files and datasets from the CLI tests (perl is part of every Debian).
# npy FILE DESCR SHAPE VALUE...: DESCR '<i8' or '<f4', SHAPE as in Python ("(2, 3)", "(4,)").
npy() {
    local file="$1" descr="$2" shape="$3"; shift 3
    perl -e '
        my ($file, $descr, $shape, @v) = @ARGV;
        my $h = "{\x27descr\x27: \x27$descr\x27, \x27fortran_order\x27: False, \x27shape\x27: $shape, }";
        my $pad = 64 - ((10 + length($h) + 1) % 64); $pad = 0 if $pad == 64;
        $h .= (" " x $pad) . "\n";
        open(my $f, ">:raw", $file) or die "$file: $!";
        print $f "\x93NUMPY\x01\x00" . pack("v", length $h) . $h;
        print $f pack($descr eq "<f4" ? "f<*" : "q<*", @v);
        close $f;' "$file" "$descr" "$shape" "$@"
}
# tiny_dataset DIR N: a dataset of N nodes (N >= 6) on a ring, 4 dense features, 2 classes,
# splits of N/3 nodes each; edges, splits and features can be overwritten afterwards.
tiny_dataset() {
    local d="$1" n="$2" i f=() src=() dst=() lab=() tr=() va=() te=()
    mkdir -p "$d"
    for ((i = 0; i < n; i++)); do
        f+=($(( (i % 4) + 1 )) 1 0 $(( i % 2 )))
        src+=($i $(( (i + 1) % n ))); dst+=($(( (i + 1) % n )) $i)
        lab+=($(( i % 2 )))
    done
    local t=$(( n / 3 ))
    for ((i = 0; i < t; i++)); do tr+=($i); va+=($(( t + i ))); te+=($(( 2 * t + i ))); done
    npy "$d/features.npy" '<f4' "($n, 4)" "${f[@]}"
    npy "$d/edge_index.npy" '<i8' "(2, $(( 2 * n )))" "${src[@]}" "${dst[@]}"
    npy "$d/labels.npy" '<i8' "($n,)" "${lab[@]}"
    npy "$d/train_index.npy" '<i8' "($t,)" "${tr[@]}"
    npy "$d/val_index.npy" '<i8' "($t,)" "${va[@]}"
    npy "$d/test_index.npy" '<i8' "($t,)" "${te[@]}"
}
