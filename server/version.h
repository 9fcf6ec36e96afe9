#ifndef DT_VERSION_H
#define DT_VERSION_H
#define DONGTING_VERSION "0.1.0"
#endif
