# Outputs that are not plain files: a symbolic link keeps being a link and its target is
# replaced atomically (also when the target does not exist yet); a FIFO or a link to standard
# output (as /dev/stdout is) is written through, not replaced by a regular file; a folder is
# refused with one line.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/npy.bash"
cd "$TMP"
export OMP_NUM_THREADS=1
tiny_dataset data/tiny 9
"$GAT" train --dataset tiny --data-dir data --threads 1 --quiet --num_of_epochs 2 --checkpoint_freq 0 --models-dir m > /dev/null
M=m/binaries/gat_TINY_000000.safetensors
P=(predict --model "$M" --data-dir data)
"$GAT" "${P[@]}" --out plain.csv
lines=$(wc -l < plain.csv)
check "predict writes a CSV" [ "$lines" -eq 10 ]

echo old > target.csv
ln -s target.csv link.csv
"$GAT" "${P[@]}" --out link.csv
check "symlink: still a link" [ -L link.csv ]
check "symlink: the target holds the CSV" cmp -s target.csv plain.csv

mkdir -p sub
ln -s sub/new.csv dangling.csv
"$GAT" "${P[@]}" --out dangling.csv
check "dangling symlink: still a link" [ -L dangling.csv ]
check "dangling symlink: its target is created" cmp -s sub/new.csv plain.csv

ln -s link.csv chain.csv
"$GAT" "${P[@]}" --out chain.csv
check "link to a link: both stay links" [ -L chain.csv -a -L link.csv ]

mkfifo pipe.csv
cat pipe.csv > from_fifo.csv &
reader=$!
"$GAT" "${P[@]}" --out pipe.csv
wait $reader
check "FIFO: still a FIFO" [ -p pipe.csv ]
check "FIFO: the reader got the CSV" cmp -s from_fifo.csv plain.csv

ln -s /proc/self/fd/1 stdout_link
"$GAT" "${P[@]}" --out stdout_link > via_stdout.csv
check "link to standard output: still a link" [ -L stdout_link ]
check "link to standard output: the CSV went to standard output" cmp -s via_stdout.csv plain.csv
"$GAT" "${P[@]}" --out /dev/stdout > via_dev_stdout.csv
check "/dev/stdout: the CSV went to standard output" cmp -s via_dev_stdout.csv plain.csv
check "/dev/stdout is still a link" [ -L /dev/stdout ]

# pictures too: a link as gat plot's output
run=$(ls -d runs/*/ | head -1)
echo old > curves_target.png
ln -s curves_target.png curves.png
"$GAT" plot "$run" --out curves --format png > /dev/null
check "plot to a symlink: still a link" [ -L curves.png ]
check "plot to a symlink: the target is a PNG" png_ok curves_target.png

mkdir -p afolder.csv
expect_error "a folder as output" "afolder.csv: is a folder" "$GAT" "${P[@]}" --out afolder.csv
check "no temporary files left" [ -z "$(find . -name '*.tmp.*')" ]
finish
