#pragma once
// CPU time the calling thread has used, in milliseconds: what the monitor
// reports as its cost per cycle (wall time would count waiting on the network).
#include <time.h>

namespace pulse {

inline double threadCpuMs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

}  // namespace pulse
