from histogram import histogram, render

assert histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5, 0, 10) == [2, 2, 2, 2, 3]
assert histogram([-1, 11, 5], 2, 0, 10) == [0, 1]
assert histogram([], 3, 0, 1) == [0, 0, 0]
assert histogram([0.25, 0.5, 0.75], 4, 0, 1) == [0, 1, 1, 1]
assert render(histogram([1, 1, 9], 2, 0, 10)) == "##\n#"
