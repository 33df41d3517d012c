"""The registry sheets and row-1 headers as ../shared/contract.md ("Registry") states them,
written here from the contract rather than taken from the code that writes them."""

CONTRACT_HEADERS = {
    "医院": ["医院名称", "级别", "省份"],
    "医院别名": ["别名", "医院名称"],
    "帮扶关系": ["支援医院", "受援医院", "开始日期", "结束日期", "项目名称"],
    "科室": ["科室", "类别"],
    "科室别名": ["别名", "科室"],
    "应报科室": ["支援医院", "受援医院", "科室", "起始年份", "截止年份", "报送周期", "报送月份"],
}
