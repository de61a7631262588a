-- Per rule and site: the report_summary view (sql/report/summary_view.sql).
select * from report_summary
