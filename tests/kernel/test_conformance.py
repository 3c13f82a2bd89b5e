"""The Jupyter project's own conformance suite, `jupyter_kernel_test`, run against MML.

Skipped, and why:
- test_execute_stderr: MML has no warnings yet, so nothing a cell does writes to stderr.
- test_clear_output: MML has no way to clear a cell's output.
- test_history (its subtests): the kernel keeps no history database; the reply is empty, as
  the protocol allows.
"""

import unittest

import jupyter_kernel_test


class MMLKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "mml"
    language_name = "mml"
    file_extension = ".mml"

    code_hello_world = 'print("hello, world")'

    completion_samples = [
        {"text": "linsp", "matches": {"linspace"}},
        {"text": "x = eigh", "matches": {"eigh"}},
    ]

    complete_code_samples = ["1 + 1", "x = [1, 2; 3, 4]", "f(x) = x^2", "for i in 1:3 { print(i) }"]
    incomplete_code_samples = ["for i in 1:3 {", "A = [1, 2;", "f(1,"]
    invalid_code_samples = ["x = )", "1 +* 2"]

    code_page_something = "?linspace"

    code_generate_error = "inv([1, 2; 2, 4])"

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "x = 6\nx * 7", "result": "42"},
        {"code": "[1, 2; 3, 4]", "mime": "text/html"},
        {"code": "[1, 2; 3, 4]", "mime": "text/latex"},
    ]

    code_display_data = [
        {"code": "plot([1, 2, 3], [1, 4, 9])", "mime": "image/png"},
        {"code": "scatter([1, 2, 3], [3, 1, 2])", "mime": "image/svg+xml"},
    ]

    code_inspect_sample = "linspace"


class MMLIopubWelcomeTests(jupyter_kernel_test.IopubWelcomeTests):
    kernel_name = "mml"
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
