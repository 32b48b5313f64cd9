/*
 * lockprobe: takes a POSIX (fcntl) byte-range lock on a file and holds it, for the lab's NFS lock
 * tests in the guest (busybox has no fcntl-lock tool). Built static on the host by
 * lab/build-guest.sh and copied into the guest.
 *
 *   lockprobe FILE START LEN r|w wait|try SECONDS
 *
 * Prints "locked <ms since start>" once it holds the lock (wait: F_SETLKW, blocking; try: F_SETLK,
 * "busy" and exit 2 when another holds it), holds it SECONDS, prints "unlocked", exits 0.
 * Errors: "error <what>: <strerror>" and exit 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: lockprobe FILE START LEN r|w wait|try SECONDS\n");
    return 1;
  }
  long long start = now_ms();
  int write = argv[4][0] == 'w';
  int fd = open(argv[1], write ? O_RDWR | O_CREAT : O_RDONLY, 0666);
  if (fd < 0) { printf("error open: %s\n", strerror(errno)); return 1; }
  struct flock l;
  memset(&l, 0, sizeof l);
  l.l_type = write ? F_WRLCK : F_RDLCK;
  l.l_whence = SEEK_SET;
  l.l_start = atoll(argv[2]);
  l.l_len = atoll(argv[3]);
  int wait = strcmp(argv[5], "wait") == 0;
  if (fcntl(fd, wait ? F_SETLKW : F_SETLK, &l) != 0) {
    if (!wait && (errno == EAGAIN || errno == EACCES)) { printf("busy %lld\n", now_ms() - start); fflush(stdout); return 2; }
    printf("error lock: %s\n", strerror(errno));
    return 1;
  }
  printf("locked %lld\n", now_ms() - start);
  fflush(stdout);
  sleep((unsigned) atoi(argv[6]));
  l.l_type = F_UNLCK;
  if (fcntl(fd, F_SETLK, &l) != 0) { printf("error unlock: %s\n", strerror(errno)); return 1; }
  printf("unlocked %lld\n", now_ms() - start);
  fflush(stdout);
  close(fd);
  return 0;
}
