#pragma once
#include "odte/core/base/clock.hpp"
