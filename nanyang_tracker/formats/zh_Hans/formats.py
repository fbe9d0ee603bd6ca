# Dates as the pages write them in Chinese (Django's own zh_Hans formats, but 6月30日 without
# a leading zero). Templates name the format (date:"DATE_FORMAT"), so English pages get theirs.
DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
MONTH_DAY_FORMAT = "n月j日"
