/* bench/qr/libqrencode_bench.c: the libqrencode side of `qrtool bench`, for bench/qr/run.sh.
 *
 *   apt-get install -y libqrencode-dev            # Debian, libqrencode 4.1.1
 *   cc -O2 -o libqrencode_bench bench/qr/libqrencode_bench.c -lqrencode
 *   libqrencode_bench [--count N] [--level L|M|Q|H] [--length N] [--payloads FILE] [--list]
 *
 * Options and output mirror `qrtool bench`:
 *   - without --payloads, the payloads are generated exactly as qrtool generates them (same 64-bit
 *     LCG, same seed): N URLs like https://aduan.kalselprov.go.id/q/AB12CD34, or with --length N
 *     texts of N lower-case letters; --count defaults to 10000, --level to M;
 *   - with --payloads FILE, each line of FILE is one payload (--count is ignored), the form
 *     run.sh uses for both tools (FILE written by bench/qr/make_payloads.py).
 * Each payload is encoded once with QRcode_encodeString(payload, version 0 = smallest that fits,
 * level, QR_MODE_8 hint, case-sensitive): automatic version, mixed-mode segmentation (numeric,
 * alphanumeric, 8-bit; no Kanji, as in Aduan) and automatic mask, which is what
 * QRCode(encoding:errorCorrection:) does in Aduan. Printed, like qrtool:
 *
 *   encoded N payloads at level L in T s (U µs each, checksum C)
 *
 * with C = sum over the symbols of (mask + version), the mask read back from the symbol's format
 * information. --list prints "version mask" per payload instead of timing (to compare the
 * symbols chosen with `qrtool batch`). */
#include <qrencode.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t state = 0x9E3779B97F4A7C15ULL;

static unsigned next_top5(void) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(state >> 59);
}

static void fail(const char *message, const char *detail) {
    fprintf(stderr, "libqrencode_bench: %s%s\n", message, detail ? detail : "");
    exit(2);
}

/* The mask of a symbol, from the first copy of its format information (ISO/IEC 18004 7.9.1;
 * bit i of the 15-bit word at (x 8, y i) for i < 6, y i+1 for i 6-7, at (x 7, y 8) for i 8 and
 * (x 14-i, y 8) for i 9-14; bit 0 of each libqrencode module byte is "dark"). */
static int symbol_mask(const QRcode *qr, QRecLevel level) {
    static const int level_bits[4] = {1, 0, 3, 2}; /* L M Q H */
    int w = qr->width, word = 0;
    for (int i = 0; i < 15; i++) {
        int x = i < 8 ? 8 : i == 8 ? 7 : 14 - i;
        int y = i < 6 ? i : i < 8 ? i + 1 : 8;
        word |= (qr->data[y * w + x] & 1) << i;
    }
    word ^= 0x5412;
    if ((word >> 13) != level_bits[level]) fail("unexpected format information", NULL);
    return (word >> 10) & 7;
}

static char **read_payloads(const char *path, int *count) {
    FILE *file = fopen(path, "rb");
    if (!file) fail("cannot read ", path);
    size_t size = 0, capacity = 1 << 16;
    char *text = malloc(capacity + 1);
    size_t n;
    while ((n = fread(text + size, 1, capacity - size, file)) > 0) {
        size += n;
        if (size == capacity) text = realloc(text, (capacity *= 2) + 1);
    }
    fclose(file);
    text[size] = 0;
    int lines = 0;
    for (size_t i = 0; i < size; i++) lines += text[i] == '\n';
    if (size > 0 && text[size - 1] != '\n') lines++;
    if (lines == 0) fail(path, " holds no payloads");
    char **payloads = malloc(sizeof(char *) * (size_t)lines);
    char *line = text;
    for (int i = 0; i < lines; i++) {
        char *end = strchr(line, '\n');
        if (end) *end = 0;
        payloads[i] = line;
        line = end ? end + 1 : line + strlen(line);
    }
    *count = lines;
    return payloads;
}

static char **generate_payloads(int count, int length) {
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
    return payloads;
}

int main(int argc, char **argv) {
    int count = 10000, length = 0, list = 0;
    char level_letter = 'M';
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        if (strcmp(flag, "--list") == 0) { list = 1; continue; }
        if (i + 1 >= argc) fail(flag, ": unknown option or missing value");
        const char *value = argv[++i];
        if (strcmp(flag, "--count") == 0) count = atoi(value);
        else if (strcmp(flag, "--length") == 0) length = atoi(value);
        else if (strcmp(flag, "--payloads") == 0) path = value;
        else if (strcmp(flag, "--level") == 0 && strlen(value) == 1 && strchr("LMQH", value[0]))
            level_letter = value[0];
        else fail("bad option ", flag);
    }
    QRecLevel level = level_letter == 'L' ? QR_ECLEVEL_L : level_letter == 'Q' ? QR_ECLEVEL_Q
                    : level_letter == 'H' ? QR_ECLEVEL_H : QR_ECLEVEL_M;
    char **payloads = path ? read_payloads(path, &count) : generate_payloads(count, length);
    if (count <= 0) fail("nothing to encode", NULL);

    if (list) {
        for (int i = 0; i < count; i++) {
            QRcode *qr = QRcode_encodeString(payloads[i], 0, level, QR_MODE_8, 1);
            if (qr == NULL) { perror("QRcode_encodeString"); return 1; }
            printf("%d %d\n", qr->version, symbol_mask(qr, level));
            QRcode_free(qr);
        }
        return 0;
    }

    struct timespec start, end;
    long checksum = 0;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < count; i++) {
        QRcode *qr = QRcode_encodeString(payloads[i], 0, level, QR_MODE_8, 1);
        if (qr == NULL) { perror("QRcode_encodeString"); return 1; }
        checksum += symbol_mask(qr, level) + qr->version;
        QRcode_free(qr);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("encoded %d payloads at level %c in %.3f s (%.1f µs each, checksum %ld)\n",
           count, level_letter, seconds, seconds / count * 1e6, checksum);
    return 0;
}
