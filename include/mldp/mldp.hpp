// mldp — umbrella header: includes every public header.
#pragma once

#include "mldp/version.hpp"

#include "mldp/core/archive.hpp"
#include "mldp/core/column.hpp"
#include "mldp/core/contiguous.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/farmhash.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/core/hash.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/core/quantile.hpp"
#include "mldp/core/random.hpp"
#include "mldp/core/sort.hpp"

#include "mldp/stats/anderson.hpp"
#include "mldp/stats/contingency.hpp"
#include "mldp/stats/distance.hpp"
#include "mldp/stats/divergence.hpp"
#include "mldp/stats/fisher.hpp"
#include "mldp/stats/kolmogorov.hpp"
#include "mldp/stats/ks.hpp"
#include "mldp/stats/mannwhitneyu.hpp"
#include "mldp/stats/multiple_testing.hpp"
#include "mldp/stats/special.hpp"
#include "mldp/stats/test_result.hpp"
#include "mldp/stats/ttest.hpp"
