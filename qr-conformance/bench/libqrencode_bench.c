/* The libqrencode side of `qrtool bench`: encodes the same generated payloads (same generator,
 * same seed) with QRcode_encodeString (8-bit hint, case-sensitive) and prints the time.
 *
 *   apt-get install -y libqrencode-dev
 *   cc -O2 qr-conformance/bench/libqrencode_bench.c -lqrencode -o /tmp/libqrencode_bench
 *   /tmp/libqrencode_bench [count] [level L|M|Q|H] [length]   # vs: qrtool bench --count N --level L [--length N]
 *
 * Without a length the payloads are URLs like https://aduan.kalselprov.go.id/q/AB12CD34. */
#include <qrencode.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t state = 0x9E3779B97F4A7C15ULL;

static unsigned next_top5(void) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(state >> 59);
}

int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 10000;
    char level_letter = argc > 2 ? argv[2][0] : 'M';
    int length = argc > 3 ? atoi(argv[3]) : 0;
    QRecLevel level = level_letter == 'L' ? QR_ECLEVEL_L : level_letter == 'Q' ? QR_ECLEVEL_Q
                    : level_letter == 'H' ? QR_ECLEVEL_H : QR_ECLEVEL_M;
    const char *alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    char **payloads = malloc(sizeof(char *) * (size_t)count);
    for (int i = 0; i < count; i++) {
        char code[9];
        for (int k = 0; k < 8; k++) code[k] = alphabet[next_top5()];
        code[8] = 0;
        if (length > 0) {
            payloads[i] = malloc((size_t)length + 1);
            for (int k = 0; k < length; k++) payloads[i][k] = (char)('a' + next_top5() % 26);
            payloads[i][length] = 0;
        } else {
            payloads[i] = malloc(64);
            snprintf(payloads[i], 64, "https://aduan.kalselprov.go.id/q/%s", code);
        }
    }
    struct timespec start, end;
    long versions = 0;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < count; i++) {
        QRcode *qr = QRcode_encodeString(payloads[i], 0, level, QR_MODE_8, 1);
        if (qr == NULL) { perror("QRcode_encodeString"); return 1; }
        versions += qr->version;
        QRcode_free(qr);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("libqrencode: encoded %d payloads at level %c in %.3f s (%.1f µs each, mean version %.1f)\n",
           count, level_letter, seconds, seconds / count * 1e6, (double)versions / count);
    return 0;
}
