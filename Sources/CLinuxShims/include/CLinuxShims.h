// Linux-only system calls that Swift's Glibc module does not export cleanly:
// epoll, eventfd and accept4. Thin, allocation-free wrappers.
#ifndef ITS_CLINUXSHIMS_H
#define ITS_CLINUXSHIMS_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>

/// One readiness event: the registered 64-bit token and the event bits.
typedef struct its_epoll_event {
  uint32_t events;
  uint64_t token;
} its_epoll_event;

extern const uint32_t ITS_EPOLLIN;
extern const uint32_t ITS_EPOLLOUT;
extern const uint32_t ITS_EPOLLERR;
extern const uint32_t ITS_EPOLLHUP;
extern const uint32_t ITS_EPOLLRDHUP;
extern const uint32_t ITS_EPOLLET;

int its_epoll_create(void);
/// op: 1 add, 2 modify, 3 delete (EPOLL_CTL_*).
int its_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);
/// Waits up to timeout_ms; fills `out` (at most `max`), returns the count or -1 (errno set).
int its_epoll_wait(int epfd, its_epoll_event *out, int max, int timeout_ms);

/// A non-blocking, close-on-exec eventfd.
int its_eventfd(void);
int its_eventfd_signal(int fd);
int its_eventfd_drain(int fd);

/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC.
int its_accept(int fd, struct sockaddr *addr, socklen_t *len);

#endif
