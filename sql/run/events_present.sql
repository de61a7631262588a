-- Whether the optional events file was supplied (rules that need it are otherwise not evaluated).
select present from file_counts where file = 'events'
