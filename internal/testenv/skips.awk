# skips.awk turns the ULTRA_SKIP_LOG that internal/testenv writes (one line per skipped test: what was
# missing TAB how to get it TAB test name) into the one line `make test` ends with. Set race to "" when
# the tests ran without the race detector, to say so on the same line.
BEGIN { FS = "\t" }
NF >= 3 {
	key = $1 FS $2
	if (!(key in n)) order[++groups] = key
	n[key]++
	total++
}
END {
	if (race == "") note = "; the race detector was off: cgo is disabled (install a C compiler, e.g. gcc)"
	if (total == 0) { print "make test: every test ran" note; exit }
	line = "make test: " total " test" (total == 1 ? "" : "s") " did not run:"
	for (i = 1; i <= groups; i++) {
		split(order[i], part, FS)
		c = n[order[i]]
		line = line (i > 1 ? ";" : "") " " c " need" (c == 1 ? "s" : "") " " part[1] " (" part[2] ")"
	}
	print line note
}
