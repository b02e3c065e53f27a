/* What every Check suite binary does in main(): run its one suite and
 * turn the result into an exit status automake's test driver reads. */
#ifndef TCPVIZ_TESTS_CHECK_MAIN_H
#define TCPVIZ_TESTS_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static inline int check_main_run(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
