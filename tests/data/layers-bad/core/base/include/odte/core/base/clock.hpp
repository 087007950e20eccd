#pragma once
#include "odte/core/engine/engine.hpp"
