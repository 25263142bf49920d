#define _GNU_SOURCE
#include "CLinuxShims.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

const uint32_t ITS_EPOLLIN = EPOLLIN;
const uint32_t ITS_EPOLLOUT = EPOLLOUT;
const uint32_t ITS_EPOLLERR = EPOLLERR;
const uint32_t ITS_EPOLLHUP = EPOLLHUP;
const uint32_t ITS_EPOLLRDHUP = EPOLLRDHUP;
const uint32_t ITS_EPOLLET = EPOLLET;

int its_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int its_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
  /* Our op numbers (1 add, 2 modify, 3 delete) are not Linux's (EPOLL_CTL_MOD is 3 and
     EPOLL_CTL_DEL is 2): translate them explicitly. */
  int linux_op;
  switch (op) {
    case 1: linux_op = EPOLL_CTL_ADD; break;
    case 2: linux_op = EPOLL_CTL_MOD; break;
    case 3: linux_op = EPOLL_CTL_DEL; break;
    default: errno = EINVAL; return -1;
  }
  struct epoll_event ev;
  ev.events = events;
  ev.data.u64 = token;
  return epoll_ctl(epfd, linux_op, fd, &ev);
}

int its_epoll_wait(int epfd, its_epoll_event *out, int max, int timeout_ms) {
  struct epoll_event evs[256];
  if (max > 256) max = 256;
  int n = epoll_wait(epfd, evs, max, timeout_ms);
  for (int i = 0; i < n; i++) {
    out[i].events = evs[i].events;
    out[i].token = evs[i].data.u64;
  }
  return n;
}

int its_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int its_eventfd_signal(int fd) {
  uint64_t one = 1;
  ssize_t r;
  do { r = write(fd, &one, sizeof one); } while (r < 0 && errno == EINTR);
  return r == sizeof one || (r < 0 && errno == EAGAIN) ? 0 : -1;
}

int its_eventfd_drain(int fd) {
  uint64_t v;
  ssize_t r;
  do { r = read(fd, &v, sizeof v); } while (r < 0 && errno == EINTR);
  return r == sizeof v || (r < 0 && errno == EAGAIN) ? 0 : -1;
}

int its_accept(int fd, struct sockaddr *addr, socklen_t *len) {
  return accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
