from read_scores import read_scores, best

text = "name,score\nann,8\nbob,6\n ann ,10\ncid,\nbob,7.5\n"
assert read_scores(text) == {"ann": 9.0, "bob": 6.75}
assert best(text) == "ann"
assert read_scores("name,score\n") == {}
