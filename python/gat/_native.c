/* _native.c - the Python package's shared library is the whole of libgat (linked in as a
 * whole archive); this file only marks it, so a binding can tell it loaded the right one. */
#include "gat/api.h"

int gat_python_native(void) { return GAT_API_VERSION; }
