/*
 * Sites in address order.  Heapsort: no recursion and no memory beyond
 * the array, which suits a loader that runs inside the hypervisor, and
 * O(n log n) whatever a hostile image puts in its records.  Ties are
 * broken by record number, so the order, and everything after it, is
 * deterministic.
 */
#include "loader_impl.h"

static int before(const struct ab_site *a, const struct ab_site *b)
{
	return a->addr != b->addr ? a->addr < b->addr : a->record < b->record;
}

static void swap(struct ab_site *a, struct ab_site *b)
{
	struct ab_site t = *a;
	*a = *b;
	*b = t;
}

static void sift_down(struct ab_site *s, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && before(&s[child], &s[child + 1]))
			child++;
		if (!before(&s[root], &s[child]))
			return;
		swap(&s[root], &s[child]);
		root = child;
	}
}

void ab_sites_sort(struct ab_site *s, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(s, i, n);
	for (size_t end = n; end-- > 1;) {
		swap(&s[0], &s[end]);
		sift_down(s, 0, end);
	}
}

/* Among the sites valid so far, any two that share a byte are both bad:
 * patching either would corrupt the other.  One sweep, keeping the valid
 * site that reaches furthest. */
void ab_sites_mark_overlaps(struct ab_site *s, size_t n)
{
	size_t reach = n;        /* index of the furthest-reaching valid site */
	for (size_t i = 0; i < n; i++) {
		if (s[i].status != AB_SITE_OK && s[i].status != AB_SITE_E_OVERLAP)
			continue;
		if (reach < n && s[i].addr < s[reach].addr + s[reach].len) {
			s[i].status = AB_SITE_E_OVERLAP;
			s[reach].status = AB_SITE_E_OVERLAP;
		}
		if (reach == n || s[i].addr + s[i].len > s[reach].addr + s[reach].len)
			reach = i;
	}
}
