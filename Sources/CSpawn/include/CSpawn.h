#ifndef CSPAWN_H
#define CSPAWN_H
#include <spawn.h>

/// The GNU extensions of posix_spawn that Swift's Glibc module does not import (they need _GNU_SOURCE).
int cspawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
int cspawn_addfchdir(posix_spawn_file_actions_t *actions, int fd);
int cspawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);
int cspawn_pipe_cloexec(int fds[2]);
short cspawn_flag_setsid(void);
/// Makes the calling process a child subreaper (prctl PR_SET_CHILD_SUBREAPER): orphans below it become its children.
int cspawn_become_subreaper(void);
/// Caps glibc's malloc arenas (mallopt M_ARENA_MAX), which the Glibc module does not import.
int cspawn_limit_malloc_arenas(int count);
#endif
