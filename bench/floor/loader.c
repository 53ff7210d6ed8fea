// SPDX-License-Identifier: GPL-2.0
/*
 * loader OBJECT PROGRAM...: loads OBJECT with only the named programs, attaches them, prints "attached"
 * and waits for SIGTERM. A benchmark helper (bench/floor.sh), not part of podnet, which reaches libbpf
 * through FFM only: this is the shortest way to attach programs without the agent around them.
 */
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int signo)
{
	(void)signo;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;

	if (argc < 3) {
		fprintf(stderr, "usage: %s OBJECT PROGRAM...\n", argv[0]);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj)
		return 1;
	bpf_object__for_each_program(prog, obj) {
		int wanted = 0;

		for (int i = 2; i < argc; i++)
			wanted |= !strcmp(argv[i], bpf_program__name(prog));
		bpf_program__set_autoload(prog, wanted);
	}
	if (bpf_object__load(obj))
		return 1;
	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__autoload(prog) && !bpf_program__attach(prog)) {
			fprintf(stderr, "cannot attach %s\n", bpf_program__name(prog));
			return 1;
		}
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		pause();
	bpf_object__close(obj);
	return 0;
}
