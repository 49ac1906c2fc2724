from outliers import outliers, slow_builds

data = [10, 11, 9, 10, 12, 10, 11, 50]
assert outliers(data) == [7]
assert outliers(data, z=10) == []
assert outliers([5, 5, 5]) == []
assert outliers([1]) == []
assert outliers([0, 0, 0, 0, -20, 0, 0, 0, 0, 0]) == [4]
assert slow_builds({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 30}) == ["f"]
