	lret $S@L
