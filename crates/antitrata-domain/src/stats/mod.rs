//! Statistics on victim records without personal data: the columnar table, the CTDC formats it is
//! read from, and cross-tabulations over it.

pub mod cases;
pub mod crosstab;
pub mod ctdc;
pub mod dataset;
pub mod reader;
pub mod table;

pub use cases::{ctdc_file_of_cases, table_of_cases, write_ctdc_csv};
pub use crosstab::{Cell, CrossTab, CrossTabError, Filter, cross_tabulate};
pub use ctdc::{
    CellError, CtdcFormat, EXPLOITATION_TYPES, HeaderError, Layout, Vocabulary, codebook_values,
    global_columns, statistics_variables, vocabulary, year_column,
};
pub use dataset::{Dataset, DatasetId, DatasetNameError, check_dataset_name};
pub use reader::{BadRow, CtdcReader, ReadError, RowProblem, Step, read_table};
pub use table::{Column, Dictionary, MISSING, Table, TableEncoder, TableError};
