/* Prints "Hello Docker" and exits: the smoke check compares output and exit code. */
#include <stdio.h>

int main(void) {
    puts("Hello Docker");
    return 0;
}
